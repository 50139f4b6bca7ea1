"""The micro-credential descriptors: one table from the YAML key to the EU element, the Open Badges 2.0 and 3.0
properties, the page labels and what a profile requires. Aligning names with another framework (the JV-Campus /
JMOOC guideline) is an edit of this table.

Followed: the EU Council Recommendation on micro-credentials (2022/C 243/02), Annex I: mandatory elements
(identification of the learner, title, country of the issuer, awarding body, date of issue, learning outcomes,
notional workload, level and qualifications framework, type of assessment, form of participation, type of quality
assurance) and optional ones (prerequisites, supervision and identity verification, grade, integration /
stackability, further information).
"""

from __future__ import annotations

from dataclasses import dataclass

# Where a descriptor lives in the YAML.
BADGE = "badge"  # the badge's `microcredential:` block
ISSUER = "issuer"  # the issuer's YAML
AWARD = "award"  # the award's YAML
FROM_CORE = "core"  # a field every badge or award has anyway (name, issuer, dates, recipient)

# Open Badges 3.0: a native property of the Achievement (or Profile, or AchievementSubject), or "extension" for
# what OB 3.0 has no property for (sitegen's one extension object, see the README's mapping table).
EXTENSION = "extension"

# Controlled values (free text may accompany each: `assessment: [{type: examination, text: …}]`).
ASSESSMENT_TYPES = (
    "examination",
    "project",
    "portfolio",
    "oral",
    "practical",
    "written-assignment",
    "recognition-of-prior-learning",
    "other",
)
PARTICIPATION = ("online", "onsite", "blended")
IDENTITY_VERIFICATION = ("none", "supervised-online", "supervised-onsite", "unsupervised-online-with-id-check")


# The controlled values in words (en, ja): the pages' table and the OB 2.0 description section say these.
VALUE_WORDS: dict[str, tuple[str, str]] = {
    "examination": ("Examination", "試験"),
    "project": ("Project", "プロジェクト"),
    "portfolio": ("Portfolio", "ポートフォリオ"),
    "oral": ("Oral examination", "口頭試験"),
    "practical": ("Practical assessment", "実技評価"),
    "written-assignment": ("Written assignment", "レポート課題"),
    "recognition-of-prior-learning": ("Recognition of prior learning", "既修得学習の認定"),
    "other": ("Other assessment", "その他の評価"),
    "online": ("Online", "オンライン"),
    "onsite": ("On site", "対面"),
    "blended": ("Blended (online and on site)", "ブレンド型（オンラインと対面）"),
    "none": ("No identity verification", "本人確認なし"),
    "supervised-online": ("Supervised online", "オンライン監督下"),
    "supervised-onsite": ("Supervised on site", "対面監督下"),
    "unsupervised-online-with-id-check": (
        "Unsupervised online, with an identity check",
        "監督なしのオンライン（本人確認あり）",
    ),
}


def value_words(code: str, lang: str) -> str:
    """A controlled value in words in `lang` ("ja" or "en"); an unknown code as it is."""
    if code not in VALUE_WORDS:
        return code
    english, japanese = VALUE_WORDS[code]
    return japanese if lang == "ja" else english


@dataclass(frozen=True)
class Descriptor:
    key: str  # in YAML (under `microcredential:` for BADGE descriptors)
    where: str  # BADGE, ISSUER, AWARD or FROM_CORE
    eu: str  # the element of the EU Recommendation, Annex I
    eu_mandatory: bool  # required by `microcredential_profile: eu`
    ob3: str  # native OB 3.0 property, or EXTENSION
    ob2: str  # key in the OB 2.0 extension object (FROM_CORE: the OB 2.0 property it already is)
    label_en: str  # the pages' table
    label_ja: str


DESCRIPTORS: tuple[Descriptor, ...] = (
    Descriptor(
        "recipient",
        FROM_CORE,
        "Identification of the learner",
        True,
        "credentialSubject",
        "recipient",
        "Learner",
        "学習者",
    ),
    Descriptor("name", FROM_CORE, "Title of the micro-credential", True, "name", "name", "Title", "名称"),
    Descriptor(
        "country",
        ISSUER,
        "Country/region of the issuer",
        True,
        "address.addressCountryCode",
        "country",
        "Country of the issuer",
        "発行者の国",
    ),
    Descriptor("issuer", FROM_CORE, "Awarding body", True, "issuer", "issuer", "Awarding body", "授与機関"),
    Descriptor("issued_on", FROM_CORE, "Date of issuing", True, "validFrom", "issuedOn", "Date of issue", "発行日"),
    Descriptor(
        "learning_outcomes",
        BADGE,
        "Learning outcomes",
        True,
        EXTENSION,
        "learningOutcomes",
        "Learning outcomes",
        "学習成果",
    ),
    Descriptor(
        "workload_hours",
        BADGE,
        "Notional workload needed to achieve the learning outcomes",
        True,
        EXTENSION,
        "workloadHours",
        "Workload (hours)",
        "学習時間（時間）",
    ),
    Descriptor(
        "credits",
        BADGE,
        "Notional workload (credits, e.g. ECTS)",
        False,
        "creditsAvailable",
        "credits",
        "Credits",
        "単位",
    ),
    Descriptor(
        "level",
        BADGE,
        "Level (and cycle) of the learning experience; qualifications framework",
        True,
        "alignment",
        "level",
        "Level",
        "レベル",
    ),
    Descriptor("assessment", BADGE, "Type of assessment", True, EXTENSION, "assessment", "Assessment", "評価方法"),
    Descriptor(
        "participation",
        BADGE,
        "Form of participation in the learning activity",
        True,
        EXTENSION,
        "participation",
        "Form of participation",
        "受講形態",
    ),
    Descriptor(
        "quality_assurance",
        BADGE,
        "Type of quality assurance used to underpin the micro-credential",
        True,
        EXTENSION,
        "qualityAssurance",
        "Quality assurance",
        "質保証",
    ),
    Descriptor(
        "prerequisites",
        BADGE,
        "Prerequisites needed to enrol in the learning activity",
        False,
        EXTENSION,
        "prerequisites",
        "Prerequisites",
        "受講要件",
    ),
    Descriptor(
        "identity_verification",
        BADGE,
        "Supervision and identity verification during assessment",
        False,
        EXTENSION,
        "identityVerification",
        "Identity verification during assessment",
        "評価時の本人確認",
    ),
    Descriptor("grade", AWARD, "Grade achieved", False, "result", "grade", "Grade", "成績"),
    Descriptor(
        "stackable_into",
        BADGE,
        "Integration / stackability options",
        False,
        "related",
        "stackableInto",
        "Stackable into",
        "積み上げ先",
    ),
    Descriptor(
        "field_of_study",
        BADGE,
        "Further information (field of study)",
        False,
        "fieldOfStudy",
        "fieldOfStudy",
        "Field of study",
        "分野",
    ),
    Descriptor("code", BADGE, "Further information (course code)", False, "humanCode", "code", "Code", "コード"),
    Descriptor(
        "language_of_instruction",
        BADGE,
        "Further information (language of instruction)",
        False,
        EXTENSION,  # not inLanguage: one code, the language the document is written in
        "languageOfInstruction",
        "Language of instruction",
        "授業言語",
    ),
)

BY_KEY: dict[str, Descriptor] = {d.key: d for d in DESCRIPTORS}
BADGE_KEYS: tuple[str, ...] = tuple(d.key for d in DESCRIPTORS if d.where == BADGE)
PROFILES = ("none", "eu")


def required_by(profile: str) -> tuple[Descriptor, ...]:
    """The descriptors a micro-credential badge must give under `microcredential_profile: <profile>`."""
    if profile == "eu":
        return tuple(d for d in DESCRIPTORS if d.eu_mandatory and d.where in (BADGE, ISSUER))
    return ()


# A YAML line for each descriptor a profile may require: the profile's error shows it as the example.
YAML_EXAMPLES: dict[str, str] = {
    "country": "country: JP",
    "learning_outcomes": "learning_outcomes: [{ja: データを可視化できる, en: Can visualise data}]",
    "workload_hours": "workload_hours: 30",
    "credits": "credits: {value: 2, system: JP-university}",
    "level": "level: {framework: EQF, code: '5', name: {en: EQF level 5}, "
    "url: https://europass.europa.eu/en/description-eight-eqf-levels}",
    "assessment": "assessment: [{type: project, text: {en: A final project, ja: 最終課題}}]",
    "participation": "participation: online",
    "identity_verification": "identity_verification: supervised-online",
    "quality_assurance": "quality_assurance: {text: {en: Reviewed by the curriculum committee}, "
    "url: https://example.org/qa}",
    "prerequisites": "prerequisites: {en: None, ja: なし}",
    "stackable_into": "stackable_into: [data-science-certificate]",
    "field_of_study": "field_of_study: {en: Data science, ja: データサイエンス}",
    "code": "code: DS-101",
    "language_of_instruction": "language_of_instruction: [ja, en]",
    "grade": "grade: A",
}
