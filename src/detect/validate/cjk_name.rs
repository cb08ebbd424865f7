//! PERSON in Chinese, Japanese and Korean script. Without spaces between words, a name is
//! known by its surname, which comes first and is drawn from a short list: the most frequent
//! Chinese surnames (the Ministry of Public Security's 2020 ranking, in simplified and
//! traditional forms, with the common two-character ones), the most frequent Korean
//! surnames (Statistics Korea, census 2015) and Japanese ones (public frequency rankings).
//! A word of letters that are neither upper nor lower case is a name when it is such a
//! surname and one to three more characters (`王小明`, `김민수`, `佐藤花子`), or a Japanese or
//! Korean surname and a given name after one space (`佐藤 花子`), an honorific glued after it
//! allowed (`王先生`, `田中さん`, `김민수씨`), and the sentence may go on after it (`王先生来电`).
//!
//! | evidence | score |
//! | --- | --- |
//! | surname, given name and an honorific (`王小明先生`) | 0.7 |
//! | surname and an honorific (`王先生`, `田中さん`) | 0.6 |
//! | surname and given name (`王小明`) | 0.35 — a person word nearby (`患者`, `customer`) lifts it |
//!
//! The bare score needs context: a surname character starts many ordinary words too (`王国`,
//! kingdom; `이것`, this).

use super::{Cand, Verdict};
use crate::span::Span;

/// Chinese surnames, one character (simplified and traditional forms).
#[rustfmt::skip]
const ZH_1: &[char] = &[
    '丁', '万', '严', '乔', '于', '付', '任', '何', '余', '侯', '傅', '冯', '刘', '劉', '卢', '史', '叶',
    '向', '吕', '吳', '吴', '呂', '周', '唐', '喬', '嚴', '夏', '姚', '姜', '孔', '孙', '孟', '孫', '宋',
    '尹', '崔', '常', '康', '廖', '张', '張', '彭', '徐', '戴', '文', '方', '易', '曹', '曾', '朱', '李',
    '杜', '杨', '林', '柯', '梁', '楊', '武', '段', '毛', '江', '汤', '汪', '沈', '洪', '游', '湯', '潘',
    '熊', '王', '田', '白', '盧', '石', '秦', '程', '简', '簡', '罗', '羅', '翁', '肖', '胡', '苏', '范',
    '莫', '萧', '萬', '葉', '董', '蒋', '蔡', '蔣', '蕭', '薛', '蘇', '袁', '覃', '許', '詹', '謝', '譚',
    '许', '谢', '谭', '賀', '賈', '賴', '贺', '贾', '赖', '赵', '趙', '邓', '邱', '邵', '邹', '郑', '郝',
    '郭', '鄒', '鄧', '鄭', '金', '錢', '鍾', '钟', '钱', '闫', '阎', '陆', '陈', '陳', '陶', '陸', '雷',
    '韓', '韦', '韩', '顧', '顾', '馬', '马', '高', '魏', '黃', '黄', '黎', '龍', '龔', '龙', '龚',
];

/// Chinese surnames of two characters.
const ZH_2: &[&str] = &[
    "上官", "东方", "令狐", "公孙", "司徒", "司马", "司馬", "夏侯", "慕容", "東方", "欧阳", "歐陽",
    "皇甫", "诸葛", "諸葛", "长孙", "長孫",
];

/// Korean surnames, one syllable.
#[rustfmt::skip]
const KO_1: &[char] = &[
    '강', '고', '공', '곽', '구', '권', '금', '기', '길', '김', '나', '남', '노', '도', '류', '마', '맹',
    '명', '모', '문', '민', '박', '반', '방', '배', '백', '변', '서', '석', '선', '설', '성', '소', '손',
    '송', '신', '심', '안', '양', '엄', '여', '연', '염', '오', '옥', '왕', '우', '원', '위', '유', '육',
    '윤', '이', '인', '임', '장', '전', '정', '제', '조', '주', '지', '진', '차', '채', '천', '최', '추',
    '탁', '표', '하', '한', '함', '허', '현', '홍', '황',
];

/// Korean surnames of two syllables.
const KO_2: &[&str] = &["남궁", "독고", "선우", "제갈", "황보"];

/// Japanese surnames (the most frequent, one to three characters).
#[rustfmt::skip]
const JA: &[&str] = &[
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田",
    "山田", "佐々木", "山口", "松本", "井上", "木村", "斎藤", "清水", "山崎", "池田", "橋本",
    "阿部", "石川", "山下", "中島", "石井", "小川", "前田", "岡田", "長谷川", "藤田", "後藤",
    "近藤", "村上", "遠藤", "青木", "坂本", "斉藤", "福田", "太田", "西村", "藤井", "金子",
    "岡本", "藤原", "中野", "三浦", "原田", "中川", "松田", "竹内", "小野", "田村", "中山",
    "和田", "石田", "森田", "上田", "内田", "柴田", "酒井", "宮崎", "横山", "高木", "安藤",
    "宮本", "大野", "小島", "工藤", "谷口", "今井", "高田", "丸山", "増田", "杉山", "村田",
    "大塚", "新井", "小山", "平野", "藤本", "河野", "上野", "武田", "野口", "松井", "千葉",
    "岩崎", "菅原", "木下", "久保", "佐野", "野村", "松尾", "菊地", "杉本", "市川", "古川",
    "大西", "島田", "水野", "桜井", "高野", "渡部", "吉川", "山内", "西田", "飯田", "菊池",
    "西川", "小松", "北村", "安田", "五十嵐", "川口", "平田", "中田", "久保田", "服部",
    "岩田", "土屋", "川崎", "福島", "本田", "樋口", "秋山", "田口", "永井", "山中", "中西",
    "吉村", "川上", "大橋", "石原", "松岡", "馬場", "浜田", "森本", "星野", "矢野", "浅野",
    "大久保", "松下", "吉岡", "小池", "野田", "荒井", "大谷", "内藤", "松浦", "熊谷", "黒田",
    "尾崎", "永田", "川村", "望月", "田辺", "松村", "荒木",
];

/// Honorifics written right after a name.
const HONORIFICS: &[&str] = &[
    "선생님",
    "ちゃん",
    "先生",
    "女士",
    "小姐",
    "医生",
    "醫生",
    "老师",
    "老師",
    "さん",
    "さま",
    "様",
    "氏",
    "君",
    "殿",
    "씨",
    "님",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Han,
    Hangul,
    Kana,
}

fn script(c: char) -> Option<Script> {
    match c {
        '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '々' => Some(Script::Han),
        '\u{ac00}'..='\u{d7a3}' => Some(Script::Hangul),
        '\u{3041}'..='\u{309f}' | '\u{30a0}'..='\u{30ff}' => Some(Script::Kana),
        _ => None,
    }
}

/// The characters of the surname `s` starts with (longest first), if any.
fn surname(s: &str) -> Option<usize> {
    let mut cs = s.chars();
    let first = cs.next()?;
    if JA.iter().any(|j| s.starts_with(j)) {
        return JA
            .iter()
            .filter(|j| s.starts_with(**j))
            .map(|j| j.chars().count())
            .max();
    }
    if ZH_2.iter().any(|z| s.starts_with(z)) || KO_2.iter().any(|k| s.starts_with(k)) {
        return Some(2);
    }
    (ZH_1.binary_search(&first).is_ok() || KO_1.binary_search(&first).is_ok()).then_some(1)
}

/// What a name candidate holds: the byte length of the name (without an honorific), whether
/// a given name follows the surname, and whether an honorific follows the name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Reading {
    pub(crate) len: usize,
    pub(crate) given: bool,
    pub(crate) honorific: bool,
}

/// Reads `text` (one word, or a Japanese/Korean surname, a space and a given name) as a name.
pub(crate) fn read(text: &str) -> Option<Reading> {
    // An honorific ends the name, where the sentence goes on after it (`王先生来电`).
    let (name, honorific) = text
        .char_indices()
        .skip(1)
        .take(5)
        .find(|&(i, _)| HONORIFICS.iter().any(|h| text[i..].starts_with(h)))
        .map_or((text, false), |(i, _)| (&text[..i], true));
    let sur = surname(name)?;
    let (head, given) = match name.split_once([' ', '\u{3000}']) {
        // `佐藤 花子`, `김 민수`: the surname alone, then the given name.
        Some((a, b)) => {
            if a.chars().count() != sur || b.contains([' ', '\u{3000}']) {
                return None;
            }
            (a, b.chars().count())
        }
        None => (name, name.chars().count() - sur),
    };
    let first = script(head.chars().next()?)?;
    if first == Script::Kana
        || !name
            .chars()
            .all(|c| c == ' ' || c == '\u{3000}' || script(c).is_some())
    {
        return None;
    }
    // Hangul names are Hangul throughout; a Han surname takes a Han or kana given name.
    if name
        .chars()
        .filter_map(script)
        .any(|s| (s == Script::Hangul) != (first == Script::Hangul))
    {
        return None;
    }
    // A given name of one to three characters; a surname alone only with an honorific.
    if given > 3 || (given == 0 && !honorific) {
        return None;
    }
    Some(Reading {
        len: name.len(),
        given: given > 0,
        honorific,
    })
}

/// True when `text` (a field's whole value) reads as a name.
pub(crate) fn is_cjk_name(text: &str) -> bool {
    read(text.trim()).is_some_and(|r| r.given)
}

pub(crate) fn validate(c: &Cand<'_>) -> Option<Verdict> {
    let text = std::str::from_utf8(c.bytes()).ok()?;
    let r = read(text)?;
    let score = match (r.given, r.honorific) {
        (true, true) => 0.7,
        (false, true) => 0.6,
        _ => 0.35,
    };
    Verdict::new(Span::new(c.span.start(), c.span.start() + r.len), score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_hold_what_they_say() {
        for list in [ZH_1, KO_1] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        }
        assert!(ZH_1.iter().all(|&c| script(c) == Some(Script::Han)));
        assert!(KO_1.iter().all(|&c| script(c) == Some(Script::Hangul)));
        for w in ZH_2.iter().chain(KO_2).chain(JA) {
            assert!((2..=3).contains(&w.chars().count()), "{w}");
        }
    }

    #[test]
    fn names_by_their_surname() {
        fn r(s: &str) -> Option<(&str, bool, bool)> {
            read(s).map(|r| (&s[..r.len], r.given, r.honorific))
        }
        assert_eq!(r("王小明"), Some(("王小明", true, false)));
        assert_eq!(r("李娜"), Some(("李娜", true, false)));
        assert_eq!(r("欧阳娜娜"), Some(("欧阳娜娜", true, false)));
        assert_eq!(r("김민수"), Some(("김민수", true, false)));
        assert_eq!(r("佐藤花子"), Some(("佐藤花子", true, false)));
        assert_eq!(r("佐藤 花子"), Some(("佐藤 花子", true, false)));
        assert_eq!(r("王先生"), Some(("王", false, true)));
        assert_eq!(r("田中さん"), Some(("田中", false, true)));
        assert_eq!(r("김민수씨"), Some(("김민수", true, true)));
        assert_eq!(r("王先生来电"), Some(("王", false, true)));
        // No surname first, too long, a surname alone, mixed scripts.
        assert_eq!(r("入院"), None);
        assert_eq!(r("王国际贸易公司"), None);
        assert_eq!(r("王"), None);
        assert_eq!(r("김小明"), None);
        assert_eq!(r("ひらがな"), None);
    }

    #[test]
    fn scores() {
        use super::super::tests::run;
        assert!(run(validate, "王小明").unwrap().score < 0.5);
        assert!(run(validate, "王小明先生").unwrap().score >= 0.5);
        assert_eq!(
            run(validate, "王小明先生").unwrap().span.len(),
            "王小明".len()
        );
    }
}
