//! The Norwegian calendar that drives the peaks in cabin regions: public holidays, school
//! holidays, weekends.
//!
//! Public holidays are computed for any year (Easter by the anonymous Gregorian algorithm, and
//! the feasts that hang on it). School holidays vary by county: the winter holiday is week 9 in
//! Buskerud (Hallingdal's county) and week 8 in Oslo and Akershus, whose cabin owners come too;
//! the autumn holiday is week 40 in the east and 41 in the west. [`SchoolHolidays`] holds them,
//! with Buskerud's as the default.

use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// What kind of day a date is, most specific first: a public holiday, then a school holiday,
/// then a weekend or a weekday.
///
/// Serialised as its name in words (`"Maundy Thursday"`), as in every other output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Label {
    /// 1 January (1. nyttårsdag).
    NewYearsDay,
    /// Thursday before Easter (skjærtorsdag).
    MaundyThursday,
    /// Friday before Easter (langfredag).
    GoodFriday,
    /// Easter Sunday (1. påskedag).
    EasterSunday,
    /// Easter Monday (2. påskedag).
    EasterMonday,
    /// 1 May (offentlig høytidsdag).
    LabourDay,
    /// 17 May (grunnlovsdag).
    ConstitutionDay,
    /// Ascension Day, 39 days after Easter (Kristi himmelfartsdag).
    AscensionDay,
    /// Whit Sunday, 49 days after Easter (1. pinsedag).
    WhitSunday,
    /// Whit Monday (2. pinsedag).
    WhitMonday,
    /// 25 December (1. juledag).
    ChristmasDay,
    /// 26 December (2. juledag).
    BoxingDay,
    /// The Saturday of Easter (påskeaftan): not a public holiday, but in the middle of it.
    EasterSaturday,
    /// The Easter week before Maundy Thursday: Saturday before Palm Sunday to Wednesday.
    EasterWeek,
    /// Christmas school holiday, 21 December to 1 January, apart from the public holidays.
    ChristmasHoliday,
    /// School winter holiday week (vinterferie).
    WinterHoliday,
    /// School autumn holiday week (haustferie).
    AutumnHoliday,
    /// School summer holiday.
    SummerHoliday,
    /// Saturday or Sunday.
    Weekend,
    /// Monday to Friday.
    Weekday,
}

impl Label {
    /// Whether the day is a public holiday (a statutory holiday, "raud dag").
    pub fn is_public_holiday(self) -> bool {
        self <= Label::BoxingDay
    }

    /// Whether the day is a school holiday or a public holiday.
    pub fn is_holiday(self) -> bool {
        self <= Label::SummerHoliday
    }

    /// The label in words.
    pub fn name(self) -> &'static str {
        match self {
            Label::NewYearsDay => "New Year's Day",
            Label::MaundyThursday => "Maundy Thursday",
            Label::GoodFriday => "Good Friday",
            Label::EasterSunday => "Easter Sunday",
            Label::EasterMonday => "Easter Monday",
            Label::LabourDay => "Labour Day",
            Label::ConstitutionDay => "Constitution Day",
            Label::AscensionDay => "Ascension Day",
            Label::WhitSunday => "Whit Sunday",
            Label::WhitMonday => "Whit Monday",
            Label::ChristmasDay => "Christmas Day",
            Label::BoxingDay => "Boxing Day",
            Label::EasterSaturday => "Easter Saturday",
            Label::EasterWeek => "Easter week",
            Label::ChristmasHoliday => "Christmas holiday",
            Label::WinterHoliday => "winter holiday",
            Label::AutumnHoliday => "autumn holiday",
            Label::SummerHoliday => "summer holiday",
            Label::Weekend => "weekend",
            Label::Weekday => "weekday",
        }
    }
}

impl Serialize for Label {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// School holidays of a county: ISO weeks of the winter and autumn holidays, and the summer
/// holiday's first and last day (month, day).
///
/// The default is Buskerud's (Hallingdal's county): winter week 9, autumn week 40, summer
/// 20 June to 16 August. Written in a scenario as
/// `[calendar]` with `winter_holiday_weeks = [8, 9]`, `autumn_holiday_weeks = [40]`,
/// `summer_holiday = ["06-20", "08-16"]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SchoolHolidays {
    /// ISO weeks of the winter holiday (vinterferie), 1..=53.
    pub winter_holiday_weeks: Vec<u32>,
    /// ISO weeks of the autumn holiday (haustferie), 1..=53.
    pub autumn_holiday_weeks: Vec<u32>,
    /// First and last day of the summer holiday, as `"mm-dd"`.
    pub summer_holiday: [String; 2],
}

impl Default for SchoolHolidays {
    fn default() -> Self {
        SchoolHolidays {
            winter_holiday_weeks: vec![9],
            autumn_holiday_weeks: vec![40],
            summer_holiday: ["06-20".to_owned(), "08-16".to_owned()],
        }
    }
}

impl SchoolHolidays {
    /// Checks the weeks (1..=53) and the summer dates (`mm-dd`, first before last); returns
    /// what is wrong, naming the key.
    pub(crate) fn check(&self) -> Result<(), (String, String)> {
        for (key, weeks) in [
            ("calendar.winter_holiday_weeks", &self.winter_holiday_weeks),
            ("calendar.autumn_holiday_weeks", &self.autumn_holiday_weeks),
        ] {
            if let Some(w) = weeks.iter().find(|w| !(1..=53).contains(*w)) {
                return Err((key.to_owned(), format!("week {w} is not between 1 and 53")));
            }
        }
        match self.summer() {
            Some((a, b)) if a <= b => Ok(()),
            _ => Err((
                "calendar.summer_holiday".to_owned(),
                format!(
                    "{:?} is not two days written \"mm-dd\", the first before the last",
                    self.summer_holiday
                ),
            )),
        }
    }

    /// The summer holiday's first and last (month, day).
    fn summer(&self) -> Option<((u32, u32), (u32, u32))> {
        let parse = |s: &str| {
            let date = NaiveDate::parse_from_str(&format!("2000-{s}"), "%Y-%m-%d").ok()?;
            Some((date.month(), date.day()))
        };
        Some((
            parse(&self.summer_holiday[0])?,
            parse(&self.summer_holiday[1])?,
        ))
    }

    /// The label of a date.
    ///
    /// # Examples
    /// ```
    /// use chrono::NaiveDate;
    /// use deltid_model::calendar::{Label, SchoolHolidays};
    /// let buskerud = SchoolHolidays::default();
    /// let day = |m, d| NaiveDate::from_ymd_opt(2020, m, d).unwrap();
    /// assert_eq!(buskerud.label(day(4, 12)), Label::EasterSunday);
    /// assert_eq!(buskerud.label(day(2, 25)), Label::WinterHoliday); // week 9 of 2020
    /// assert_eq!(buskerud.label(day(5, 17)), Label::ConstitutionDay);
    /// assert_eq!(buskerud.label(day(11, 7)), Label::Weekend);
    /// ```
    pub fn label(&self, date: NaiveDate) -> Label {
        if let Some(holiday) = public_holiday(date) {
            return holiday;
        }
        let (m, d) = (date.month(), date.day());
        if (m == 12 && d >= 21) || (m == 1 && d == 1) {
            return Label::ChristmasHoliday;
        }
        if let Some(easter) = easter_sunday(date.year()) {
            let offset = (date - easter).num_days();
            if (-8..=-4).contains(&offset) {
                return Label::EasterWeek;
            }
            if offset == -1 {
                return Label::EasterSaturday;
            }
        }
        let week = date.iso_week().week();
        // A week number alone is ambiguous at the year's ends; these weeks lie well inside.
        if m <= 4 && self.winter_holiday_weeks.contains(&week) {
            return Label::WinterHoliday;
        }
        if (9..=11).contains(&m) && self.autumn_holiday_weeks.contains(&week) {
            return Label::AutumnHoliday;
        }
        if let Some((first, last)) = self.summer()
            && (first..=last).contains(&(m, d))
        {
            return Label::SummerHoliday;
        }
        match date.weekday() {
            Weekday::Sat | Weekday::Sun => Label::Weekend,
            _ => Label::Weekday,
        }
    }
}

impl SchoolHolidays {
    /// Whether a holiday period starts or ends within `days` days of `date`: some day in
    /// `date − days ..= date + days` belongs to another holiday period than the day before it.
    ///
    /// A holiday period is the Christmas holiday with its public holidays, Easter (the Easter
    /// week to Easter Monday), the winter, autumn or summer holiday, or a single public holiday;
    /// weekends and weekdays belong to none. In a cabin region the counts step up or down at
    /// these edges by nature, so checks of the counts judge a jump there as expected.
    ///
    /// # Examples
    /// ```
    /// use chrono::NaiveDate;
    /// use deltid_model::calendar::SchoolHolidays;
    /// let buskerud = SchoolHolidays::default();
    /// let day = |m, d| NaiveDate::from_ymd_opt(2021, m, d).unwrap();
    /// assert!(buskerud.near_holiday_edge(day(4, 6), 0)); // the Tuesday after Easter Monday
    /// assert!(buskerud.near_holiday_edge(day(3, 9), 1)); // the winter holiday ended on the 7th
    /// assert!(!buskerud.near_holiday_edge(day(3, 10), 1));
    /// assert!(!buskerud.near_holiday_edge(day(11, 10), 1));
    /// ```
    pub fn near_holiday_edge(&self, date: NaiveDate, days: u32) -> bool {
        let days = i64::from(days);
        let period = |offset: i64| {
            date.checked_add_signed(chrono::TimeDelta::days(offset))
                .map(|d| holiday_period(self.label(d)))
        };
        (-days..=days).any(|offset| period(offset) != period(offset - 1))
    }
}

/// The holiday period a label belongs to (see [`SchoolHolidays::near_holiday_edge`]): the
/// label that names it, or `None` for weekends and weekdays.
fn holiday_period(label: Label) -> Option<Label> {
    match label {
        Label::ChristmasHoliday | Label::ChristmasDay | Label::BoxingDay | Label::NewYearsDay => {
            Some(Label::ChristmasHoliday)
        }
        Label::EasterWeek
        | Label::MaundyThursday
        | Label::GoodFriday
        | Label::EasterSaturday
        | Label::EasterSunday
        | Label::EasterMonday => Some(Label::EasterSunday),
        Label::Weekend | Label::Weekday => None,
        other => Some(other),
    }
}

/// The public holiday on a date, if any.
///
/// # Examples
/// ```
/// use chrono::NaiveDate;
/// use deltid_model::calendar::{public_holiday, Label};
/// let day = NaiveDate::from_ymd_opt(2021, 5, 13).unwrap();
/// assert_eq!(public_holiday(day), Some(Label::AscensionDay));
/// ```
pub fn public_holiday(date: NaiveDate) -> Option<Label> {
    let fixed = match (date.month(), date.day()) {
        (1, 1) => Some(Label::NewYearsDay),
        (5, 1) => Some(Label::LabourDay),
        (5, 17) => Some(Label::ConstitutionDay),
        (12, 25) => Some(Label::ChristmasDay),
        (12, 26) => Some(Label::BoxingDay),
        _ => None,
    };
    let easter = easter_sunday(date.year())?;
    let moving = match (date - easter).num_days() {
        -3 => Some(Label::MaundyThursday),
        -2 => Some(Label::GoodFriday),
        0 => Some(Label::EasterSunday),
        1 => Some(Label::EasterMonday),
        39 => Some(Label::AscensionDay),
        49 => Some(Label::WhitSunday),
        50 => Some(Label::WhitMonday),
        _ => None,
    };
    // Ascension Day can fall on 1 or 17 May; the moving feast is the rarer fact to show.
    moving.or(fixed)
}

/// Easter Sunday of a year in the Gregorian calendar (the anonymous Gregorian algorithm,
/// also known as Meeus/Jones/Butcher, valid for every Gregorian year).
///
/// Returns `None` only for years outside chrono's date range.
///
/// # Examples
/// ```
/// use chrono::NaiveDate;
/// assert_eq!(deltid_model::calendar::easter_sunday(2020), NaiveDate::from_ymd_opt(2020, 4, 12));
/// assert_eq!(deltid_model::calendar::easter_sunday(2024), NaiveDate::from_ymd_opt(2024, 3, 31));
/// ```
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easter_matches_the_published_table_2000_to_2040() {
        // Easter Sunday 2000-2040 (Gregorian), as published in almanacs (e.g. the Norwegian
        // almanac; the US Naval Observatory's table gives the same dates).
        let table: [(i32, u32, u32); 41] = [
            (2000, 4, 23),
            (2001, 4, 15),
            (2002, 3, 31),
            (2003, 4, 20),
            (2004, 4, 11),
            (2005, 3, 27),
            (2006, 4, 16),
            (2007, 4, 8),
            (2008, 3, 23),
            (2009, 4, 12),
            (2010, 4, 4),
            (2011, 4, 24),
            (2012, 4, 8),
            (2013, 3, 31),
            (2014, 4, 20),
            (2015, 4, 5),
            (2016, 3, 27),
            (2017, 4, 16),
            (2018, 4, 1),
            (2019, 4, 21),
            (2020, 4, 12),
            (2021, 4, 4),
            (2022, 4, 17),
            (2023, 4, 9),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2029, 4, 1),
            (2030, 4, 21),
            (2031, 4, 13),
            (2032, 3, 28),
            (2033, 4, 17),
            (2034, 4, 9),
            (2035, 3, 25),
            (2036, 4, 13),
            (2037, 4, 5),
            (2038, 4, 25),
            (2039, 4, 10),
            (2040, 4, 1),
        ];
        for (y, m, d) in table {
            assert_eq!(easter_sunday(y), NaiveDate::from_ymd_opt(y, m, d), "{y}");
        }
    }

    #[test]
    fn labels_follow_priority() {
        let cal = SchoolHolidays::default();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a date");
        let cases = [
            (day(2020, 1, 1), Label::NewYearsDay),
            (day(2019, 12, 24), Label::ChristmasHoliday),
            (day(2020, 4, 6), Label::EasterWeek), // Monday after Palm Sunday 2020
            (day(2020, 4, 9), Label::MaundyThursday),
            (day(2020, 4, 11), Label::EasterSaturday),
            (day(2020, 4, 13), Label::EasterMonday),
            (day(2020, 2, 24), Label::WinterHoliday), // Monday of week 9, 2020
            (day(2020, 2, 17), Label::Weekday),       // week 8 is Oslo's, not Buskerud's
            (day(2019, 10, 2), Label::AutumnHoliday), // week 40, 2019
            (day(2020, 7, 15), Label::SummerHoliday),
            (day(2020, 5, 21), Label::AscensionDay),
            (day(2020, 6, 1), Label::WhitMonday),
            (day(2020, 11, 8), Label::Weekend),
            (day(2020, 11, 10), Label::Weekday),
        ];
        for (date, label) in cases {
            assert_eq!(cal.label(date), label, "{date}");
        }
        let oslo = SchoolHolidays {
            winter_holiday_weeks: vec![8],
            ..SchoolHolidays::default()
        };
        assert_eq!(oslo.label(day(2020, 2, 17)), Label::WinterHoliday);
    }

    #[test]
    fn public_holidays_match_the_published_list_2000_to_2023() {
        // data/calendar/norway_holidays_2000_2023.csv (from FHI's csdata): one name per date;
        // Palm Sunday is listed though it is not a statutory holiday; where two holidays share a
        // date the file keeps one name (Ascension Day on 1 or 17 May, as deltid does).
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/calendar/norway_holidays_2000_2023.csv"
        );
        let text = std::fs::read_to_string(path).expect("the holidays file");
        let names = [
            ("1. nyttårsdag", Label::NewYearsDay),
            ("Skjærtorsdag", Label::MaundyThursday),
            ("Langfredag", Label::GoodFriday),
            ("1. påskedag", Label::EasterSunday),
            ("2. påskedag", Label::EasterMonday),
            ("Offentlig høytidsdag", Label::LabourDay),
            ("Grunnlovsdag", Label::ConstitutionDay),
            ("Kristi Himmelfartsdag", Label::AscensionDay),
            ("1. pinsedag", Label::WhitSunday),
            ("2. pinsedag", Label::WhitMonday),
            ("1. juledag", Label::ChristmasDay),
            ("2. juledag", Label::BoxingDay),
        ];
        let mut listed = std::collections::BTreeSet::new();
        for line in text.lines().skip(1) {
            let (date, name) = line.split_once(',').expect("date,name");
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("a date");
            if name == "Palmesøndag" {
                assert_eq!(date.weekday(), Weekday::Sun);
                assert_eq!(public_holiday(date), None);
                continue;
            }
            let label = names.iter().find(|(n, _)| *n == name).expect(name).1;
            assert_eq!(public_holiday(date), Some(label), "{date} {name}");
            listed.insert(date);
        }
        // And no computed holiday is missing from the list (the file starts 2000-04-16).
        let first = NaiveDate::from_ymd_opt(2000, 4, 16).expect("a date");
        let last = NaiveDate::from_ymd_opt(2023, 12, 31).expect("a date");
        let computed: std::collections::BTreeSet<NaiveDate> = first
            .iter_days()
            .take_while(|d| *d <= last)
            .filter(|d| public_holiday(*d).is_some())
            .collect();
        assert_eq!(computed, listed);
    }
}
