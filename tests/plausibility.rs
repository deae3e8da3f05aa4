//! The estimate beside holiday homes and commercial guest-nights.

use deltid::Selection;
use deltid::output::{Daily, Format, write_run};

use crate::util::{assert_close, folder};

#[test]
fn guest_nights_per_holiday_home_and_outside_commercial_by_hand() {
    // One area, two days, no uplift: present 1 000 and 2 000; residents 400, nothing else:
    // part-time 600 and 1 600, mean 1 100, per year 1 100 × 365 = 401 500 nights.
    // 1 000 holiday homes: 401.5 nights per home per year, 401.5 / 114 = 3.52 × the survey;
    // P95 day (linear, h = 0.95): 600 + 0.95 × 1 000 = 1 550 → 1.55 persons per home; busiest
    // 1.6. Commercial 100 375 nights: 1 − 100 375 / 401 500 = 0.75 outside commercial.
    let dir = folder(&[
        (
            "counts.csv",
            "date,area,count\n2021-03-01,0001,1000\n2021-03-02,0001,2000\n",
        ),
        (
            "s.toml",
            "uplift = 0\ncounts = \"counts.csv\"\n[deductions]\ncommuters = 0\ntransit = 0\n\
             day_visitors = 0\n[[area]]\ncode = \"0001\"\nname = \"A\"\nresidents = 400\n\
             holiday_homes = 1000\ncommercial_guest_nights = 100375\n",
        ),
    ]);
    let report =
        crate::util::run(&dir.path().join("s.toml"), None, &Selection::default()).expect("run");
    let checks = report.plausibility().expect("calibration given");
    let a = &checks.areas[0];
    assert_close(a.guest_nights_per_year, 401_500.0);
    assert_close(a.guest_nights_per_home.expect("homes"), 401.5);
    assert_close(a.times_survey.expect("homes"), 401.5 / 114.0);
    assert_close(a.persons_per_home_p95.expect("homes"), 1.55);
    assert_close(a.persons_per_home_max.expect("homes"), 1.6);
    assert_close(a.share_outside_commercial.expect("commercial"), 0.75);
    // The region is the one area here.
    let region = checks.region.as_ref().expect("all areas give figures");
    assert_close(region.guest_nights_per_home.expect("homes"), 401.5);

    let mut text = Vec::new();
    write_run(&report, Format::Table, Daily::Omit, &mut text).expect("written");
    let text = String::from_utf8(text).expect("utf-8");
    assert!(text.contains("Plausibility"), "{text}");
    assert!(
        text.contains("TØI 1155/2011: 114 guest-nights per cabin per year"),
        "{text}"
    );
    assert!(text.contains("75 %"), "{text}");
}

#[test]
fn no_calibration_figures_no_plausibility_section() {
    let report = crate::util::run(
        &crate::util::data("hallingdal/plan-2021.toml"),
        None,
        &Selection::default(),
    )
    .expect("run");
    assert!(report.plausibility().is_none());
}
