//! The hidden value of each company: what value traders estimate and what
//! news moves. Its logarithm reverts slowly towards an anchor, shares a
//! sector factor with its peers, and jumps on news. Its volatility is
//! itself random (a slowly mean-reverting log-volatility that news kicks
//! up), which is what gives prices fat tails and volatility clustering
//! instead of a random walk of ticks (DESIGN §5).

use rand::Rng;
use rand::rngs::StdRng;

/// Typical volatility per hour. The value's pull towards its anchor keeps
/// its spread over a day near 3.5 %, so the ±30 % band is rarely reached.
const BASE_VOL_PER_HOUR: f64 = 0.01;
/// How fast log-volatility returns to its base (per hour): a half-life of
/// about two hours, so calm and busy spells last long enough to be felt.
const VOL_REVERSION_PER_HOUR: f64 = 0.35;
/// Noise of log-volatility per square-root hour: a stationary spread of
/// 0.6 in log terms, so busy spells run at twice the base and more, and
/// returns are fat-tailed (kurtosis 3·e^(4·0.36) ≈ 13) before any news.
const VOL_OF_VOL: f64 = 0.5;
/// How fast value returns to its anchor (per hour): about a day.
const VALUE_REVERSION_PER_HOUR: f64 = 1.0 / 24.0;
/// The share of a company's moves that its sector moves together.
const SECTOR_LOADING: f64 = 0.5;
/// Extra log-volatility after news, per unit of log size.
const NEWS_VOL_KICK: f64 = 8.0;

/// Beyond this log distance from the day's reference price, value is
/// pushed back hard: a company's worth rarely moves 30 % in a day, and at
/// the band the book would go one-sided.
const SOFT_LIMIT: f64 = 0.14;
/// Pull per hour per unit of log distance beyond the soft limit.
const SOFT_LIMIT_PULL: f64 = 6.0;

#[derive(Clone, Debug)]
pub struct Fundamental {
    pub log_value: f64,
    anchor: f64,
    log_vol_excess: f64,
    /// Log of the current trading day's reference price.
    log_reference: f64,
}

impl Fundamental {
    pub fn new(price: f64) -> Fundamental {
        let log_value = price.max(1.0).ln();
        Fundamental {
            log_value,
            anchor: log_value,
            log_vol_excess: 0.0,
            log_reference: log_value,
        }
    }

    /// A new trading day's reference price.
    pub fn set_reference(&mut self, price: f64) {
        self.log_reference = price.max(1.0).ln();
    }

    pub fn value(&self) -> f64 {
        self.log_value.exp()
    }

    /// Volatility per hour right now.
    pub fn vol_per_hour(&self) -> f64 {
        BASE_VOL_PER_HOUR * self.log_vol_excess.exp()
    }

    /// Advances by `dt_hours`, with `sector_z` the sector's standard normal
    /// draw for this step.
    pub fn step(&mut self, dt_hours: f64, sector_z: f64, rng: &mut StdRng) {
        let sqrt_dt = dt_hours.sqrt();
        let own_z = normal(rng);
        let vol_z = normal(rng);
        self.log_vol_excess +=
            -VOL_REVERSION_PER_HOUR * self.log_vol_excess * dt_hours + VOL_OF_VOL * sqrt_dt * vol_z;
        let shock = SECTOR_LOADING * sector_z + (1.0 - SECTOR_LOADING.powi(2)).sqrt() * own_z;
        let from_reference = self.log_value - self.log_reference;
        let beyond = from_reference.abs() - SOFT_LIMIT;
        let barrier = if beyond > 0.0 {
            -from_reference.signum() * beyond * SOFT_LIMIT_PULL * dt_hours
        } else {
            0.0
        };
        self.log_value += -VALUE_REVERSION_PER_HOUR * (self.log_value - self.anchor) * dt_hours
            + barrier
            + self.vol_per_hour() * sqrt_dt * shock;
    }

    /// A news jump of `size` (log units, signed), which also stirs up
    /// volatility for a while; the anchor follows part of the way, since
    /// news changes what the company is worth for good.
    pub fn jump(&mut self, size: f64) {
        self.log_value += size;
        self.anchor += size * 0.5;
        self.log_vol_excess = (self.log_vol_excess + NEWS_VOL_KICK * size.abs()).min(2.5);
    }
}

/// A standard normal draw (Box-Muller). Written here rather than adding
/// `rand_distr` for one five-line function.
pub fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn value_wanders_but_stays_near_its_anchor_and_news_moves_it() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut f = Fundamental::new(10_000.0);
        for _ in 0..36_000 {
            f.step(0.1 / 3600.0 * 10.0, normal(&mut rng), &mut rng);
        }
        let ratio = f.value() / 10_000.0;
        assert!((0.5..2.0).contains(&ratio), "{ratio}");
        let before = f.value();
        let calm = f.vol_per_hour();
        f.jump(0.05);
        assert!((f.value() / before - 0.05f64.exp()).abs() < 1e-9);
        assert!(f.vol_per_hour() > calm);
    }

    #[test]
    fn normal_draws_have_unit_variance() {
        let mut rng = StdRng::seed_from_u64(1);
        let n = 200_000;
        let draws: Vec<f64> = (0..n).map(|_| normal(&mut rng)).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(
            mean.abs() < 0.01 && (var - 1.0).abs() < 0.02,
            "{mean} {var}"
        );
    }
}
