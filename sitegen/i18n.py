"""Interface text in Japanese and English, and dates written the way each language writes them."""

from __future__ import annotations

from datetime import datetime

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")


def format_date(moment: datetime, lang: str) -> str:
    if lang == "ja":
        return f"{moment.year}年{moment.month}月{moment.day}日"
    return f"{moment.day} {MONTHS_EN[moment.month - 1]} {moment.year}"


JA = {
    "Badges": "バッジ",
    "Issuer": "発行者",
    "Issued by": "発行者",
    "Issued on": "発行日",
    "Expires on": "有効期限",
    "Expired": "有効期限切れ",
    "This badge expired on %(date)s.": "このバッジの有効期限は %(date)s に切れました。",
    "Revoked": "取り消し済み",
    "This badge was revoked on %(date)s.": "このバッジは %(date)s に取り消されました。",
    "Reason": "理由",
    "Criteria": "取得基準",
    "How to earn this badge": "このバッジの取得方法",
    "Alignment": "対応する基準",
    "Tags": "タグ",
    "Evidence": "エビデンス",
    "Awarded to": "受領者",
    "Recipient": "受領者",
    "The recipient is identified by a hashed email address.": "受領者はハッシュ化されたメールアドレスで識別されます。",
    "Narrative": "説明",
    "Downloads and data": "ダウンロードとデータ",
    "Open Badges 2.0 assertion (JSON)": "Open Badges 2.0 アサーション (JSON)",
    "Badge image with the award baked in": "受領情報を埋め込んだバッジ画像",
    "Badge class (JSON)": "バッジクラス (JSON)",
    "Issuer profile (JSON)": "発行者プロフィール (JSON)",
    "Website": "ウェブサイト",
    "Contact": "連絡先",
    "Badges issued by %(name)s": "%(name)s が発行するバッジ",
    "Home": "ホーム",
    "Valid": "有効",
    "This badge is valid.": "このバッジは有効です。",
    "Open Badges published with sitegen": "sitegen で公開された Open Badges",
    "Issued badges are verifiable Open Badges.": "発行されたバッジは検証可能な Open Badges です。",
    "Validity": "有効期間",
    "%(duration)s after issue": "発行から %(duration)s",
    "No badges yet.": "まだバッジはありません。",
    "Badge": "バッジ",
}


class Translations:
    """The gettext interface Jinja2's i18n extension calls."""

    def __init__(self, catalogue: dict[str, str]):
        self.catalogue = catalogue

    def gettext(self, message: str) -> str:
        return self.catalogue.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


def translations(lang: str) -> Translations:
    return Translations(JA if lang == "ja" else {})
