//! News events: good or bad, about one company or a whole sector, each with
//! a size that moves the hidden value. Arrivals are a Poisson process at
//! the configured rate; sizes are heavy-tailed (most news is small, a few
//! items are big). Headlines come from templates in Korean and English, the
//! big ones reserved for big news. Korean templates put the name before a
//! comma or as a possessive-free subject so no particle depends on the name.

use super::fundamental::normal;
use rand::Rng;
use rand::rngs::StdRng;

/// A headline: Korean, English. `{name}` is the company or sector.
type Template = (&'static str, &'static str);

const COMPANY_GOOD_SMALL: &[Template] = &[
    (
        "{name}, 분기 영업이익 시장 예상 소폭 상회",
        "{name} edges past quarterly profit forecasts",
    ),
    (
        "{name}, 신규 공급 계약 체결",
        "{name} signs a new supply contract",
    ),
    (
        "{name}, 자사주 매입 발표",
        "{name} announces a share buyback",
    ),
    (
        "증권가, {name} 목표주가 상향",
        "Analysts raise their target price for {name}",
    ),
    (
        "{name}, 배당 확대 검토",
        "{name} considers a higher dividend",
    ),
    (
        "{name}, 해외 법인 설립으로 시장 확대",
        "{name} sets up an overseas unit to grow abroad",
    ),
    (
        "{name}, 신제품 초기 반응 호조",
        "Early reviews of {name}'s new product are upbeat",
    ),
];

const COMPANY_GOOD_LARGE: &[Template] = &[
    (
        "{name}, 사상 최대 실적 발표",
        "{name} reports record results",
    ),
    (
        "{name}, 글로벌 대기업과 대규모 파트너십",
        "{name} wins a major global partnership",
    ),
    (
        "{name}, 핵심 특허 소송 승소",
        "{name} wins its key patent lawsuit",
    ),
    (
        "{name}, 조 단위 수주 공시",
        "{name} discloses a trillion-won order",
    ),
    (
        "{name}, 신약 임상 3상 성공",
        "{name}'s drug succeeds in phase 3 trials",
    ),
];

const COMPANY_BAD_SMALL: &[Template] = &[
    (
        "{name}, 분기 실적 예상 소폭 하회",
        "{name} misses quarterly forecasts slightly",
    ),
    (
        "증권가, {name} 목표주가 하향",
        "Analysts cut their target price for {name}",
    ),
    (
        "{name}, 원자재 가격 상승에 수익성 우려",
        "Rising input costs weigh on {name}'s margins",
    ),
    ("{name}, 주요 임원 사임", "A senior executive leaves {name}"),
    (
        "{name}, 신제품 출시 일정 연기",
        "{name} delays its product launch",
    ),
    (
        "{name}, 대주주 지분 일부 매각",
        "{name}'s largest shareholder sells part of its stake",
    ),
    (
        "{name}, 유상증자 검토 소식",
        "{name} reportedly weighs a rights issue",
    ),
];

const COMPANY_BAD_LARGE: &[Template] = &[
    ("{name}, 어닝 쇼크", "{name} posts an earnings shock"),
    ("{name}, 대규모 리콜 결정", "{name} orders a large recall"),
    (
        "{name}, 회계 감사 의견 논란",
        "Auditors raise questions over {name}'s accounts",
    ),
    (
        "{name}, 핵심 거래처 계약 해지",
        "{name} loses its key customer contract",
    ),
    ("{name}, 임상 시험 중단", "{name} halts a clinical trial"),
];

const SECTOR_GOOD: &[Template] = &[
    (
        "{name} 업종, 수출 호조에 동반 강세",
        "{name} stocks rise together on strong exports",
    ),
    (
        "정부, {name} 산업 지원책 발표",
        "Government unveils support for {name}",
    ),
    (
        "{name} 업황 회복 기대감 확산",
        "Hopes grow for a {name} recovery",
    ),
    (
        "외국인, {name} 업종 순매수 확대",
        "Foreign investors pile into {name}",
    ),
    (
        "{name} 업종, 규제 완화 수혜 전망",
        "{name} set to gain from deregulation",
    ),
    (
        "글로벌 수요 급증, {name} 업종 주목",
        "Global demand surge puts {name} in focus",
    ),
    (
        "{name} 업종 실적 시즌 기대 이상",
        "{name} earnings season beats expectations",
    ),
    (
        "금리 인하 기대에 {name} 업종 반등",
        "{name} rebounds on rate-cut hopes",
    ),
];

const SECTOR_BAD: &[Template] = &[
    (
        "{name} 업종, 수요 둔화 우려",
        "Slowing demand worries {name}",
    ),
    (
        "정부, {name} 산업 규제 강화",
        "Government tightens rules on {name}",
    ),
    (
        "{name} 업종, 외국인 매도세 지속",
        "Foreign investors keep selling {name}",
    ),
    (
        "{name} 업황 부진 장기화 전망",
        "{name} slump expected to drag on",
    ),
    (
        "원가 부담 확대, {name} 업종 약세",
        "{name} falls as costs climb",
    ),
    (
        "{name} 업종, 글로벌 경쟁 심화",
        "Global competition intensifies in {name}",
    ),
    (
        "{name} 업종 실적 시즌 실망",
        "{name} earnings season disappoints",
    ),
    (
        "금리 인상 우려에 {name} 업종 하락",
        "{name} slides on rate-hike fears",
    ),
];

/// Every template, for tests and documentation.
pub const TEMPLATE_COUNT: usize = COMPANY_GOOD_SMALL.len()
    + COMPANY_GOOD_LARGE.len()
    + COMPANY_BAD_SMALL.len()
    + COMPANY_BAD_LARGE.len()
    + SECTOR_GOOD.len()
    + SECTOR_BAD.len();

/// Sizes at or above this (basis points) count as big news.
const LARGE_BP: i64 = 400;
/// Largest move one news item may cause.
const MAX_BP: i64 = 1_000;
/// Share of news about a whole sector rather than one company.
const SECTOR_SHARE: f64 = 0.3;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Index into the simulation's listings.
    Company(usize),
    /// Index into the simulation's sectors.
    Sector(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewsItem {
    pub at_ms: i64,
    pub target: Target,
    pub good: bool,
    /// The move of the hidden value, in basis points (always positive).
    pub size_bp: i64,
    pub headline_ko: String,
    pub headline_en: String,
}

impl NewsItem {
    /// The log move it causes for a company it concerns.
    pub fn log_move(&self) -> f64 {
        let size = (self.size_bp as f64 / 10_000.0).ln_1p();
        if self.good { size } else { -size }
    }
}

pub struct NewsDesk {
    per_hour: f64,
}

impl NewsDesk {
    pub fn new(per_hour: u32) -> NewsDesk {
        NewsDesk {
            per_hour: f64::from(per_hour),
        }
    }

    /// Whether news breaks within `dt_hours` (at most one per step).
    pub fn breaks(&self, dt_hours: f64, rng: &mut StdRng) -> bool {
        self.per_hour > 0.0 && rng.random::<f64>() < 1.0 - (-self.per_hour * dt_hours).exp()
    }

    /// Writes one item about a company (`names[company]`) or a sector.
    pub fn write(
        &self,
        at_ms: i64,
        companies: &[(&str, &str)],
        sectors: &[(&str, &str)],
        rng: &mut StdRng,
    ) -> NewsItem {
        let good = rng.random_bool(0.5);
        // Heavy-tailed: |normal|^2 scaled, so the median is about 1 % and
        // a few items in a hundred move the value by 6 % or more.
        let z = normal(rng);
        let size_bp = ((z * z * 150.0) as i64 + 30).min(MAX_BP);
        let sector_news = !sectors.is_empty() && rng.random_bool(SECTOR_SHARE);
        let (target, name, templates) = if sector_news {
            let index = rng.random_range(0..sectors.len());
            let templates = if good { SECTOR_GOOD } else { SECTOR_BAD };
            (Target::Sector(index), sectors[index], templates)
        } else {
            let index = rng.random_range(0..companies.len());
            let templates = match (good, size_bp >= LARGE_BP) {
                (true, false) => COMPANY_GOOD_SMALL,
                (true, true) => COMPANY_GOOD_LARGE,
                (false, false) => COMPANY_BAD_SMALL,
                (false, true) => COMPANY_BAD_LARGE,
            };
            (Target::Company(index), companies[index], templates)
        };
        let (ko, en) = templates[rng.random_range(0..templates.len())];
        NewsItem {
            at_ms,
            target,
            good,
            size_bp,
            headline_ko: ko.replace("{name}", name.0),
            headline_en: en.replace("{name}", name.1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn there_are_forty_templates_each_naming_its_subject_in_both_languages() {
        const { assert!(TEMPLATE_COUNT >= 40) };
        for list in [
            COMPANY_GOOD_SMALL,
            COMPANY_GOOD_LARGE,
            COMPANY_BAD_SMALL,
            COMPANY_BAD_LARGE,
            SECTOR_GOOD,
            SECTOR_BAD,
        ] {
            for (ko, en) in list {
                assert!(
                    ko.contains("{name}") && en.contains("{name}"),
                    "{ko} / {en}"
                );
            }
        }
    }

    #[test]
    fn news_arrives_at_the_configured_rate_with_mostly_small_sizes() {
        let desk = NewsDesk::new(60);
        let mut rng = StdRng::seed_from_u64(3);
        let steps = 360_000; // ten hours of 0.1 s steps
        let dt = 0.1 / 3600.0;
        let mut items = Vec::new();
        for step in 0..steps {
            if desk.breaks(dt, &mut rng) {
                items.push(desk.write(
                    step,
                    &[("한빛전자", "Hanbit Electronics")],
                    &[("반도체", "Semiconductors")],
                    &mut rng,
                ));
            }
        }
        assert!((500..700).contains(&items.len()), "{}", items.len());
        let mut sizes: Vec<i64> = items.iter().map(|n| n.size_bp).collect();
        sizes.sort_unstable();
        let median = sizes[sizes.len() / 2];
        assert!((60..150).contains(&median), "median {median} bp");
        assert!(sizes.iter().all(|&s| (30..=MAX_BP).contains(&s)));
        let item = items
            .iter()
            .find(|n| n.target == Target::Company(0))
            .unwrap();
        assert!(item.headline_ko.contains("한빛전자") && item.headline_en.contains("Hanbit"));
        assert!((item.log_move().abs() - (item.size_bp as f64 / 1e4).ln_1p()).abs() < 1e-12);
    }
}
