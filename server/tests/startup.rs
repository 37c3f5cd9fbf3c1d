//! The real binary's start-up: bad settings or an unusable database stop it
//! with a message that names the culprit, and a non-zero exit code.

use std::process::Command;

fn gaemi() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gaemi"));
    command
        .env_remove("DATABASE_URL")
        .env(
            "GAEMI_CONFIG",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml"),
        )
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0");
    command
}

#[test]
fn an_unwritable_database_path_stops_start_up_and_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("occupied");
    std::fs::write(&blocker, b"").unwrap();
    let output = gaemi()
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/gaemi.db", blocker.display()),
        )
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&blocker.display().to_string()), "{stderr}");
}

#[test]
fn an_invalid_setting_stops_start_up_and_names_the_setting() {
    let output = gaemi()
        .env("GAEMI_REALTIME_CLIENT_QUEUE", "many")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("GAEMI_REALTIME_CLIENT_QUEUE"), "{stderr}");
}

#[test]
fn a_missing_settings_file_is_named() {
    let output = gaemi()
        .env("GAEMI_CONFIG", "/nonexistent/gaemi.toml")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/gaemi.toml"));
}
