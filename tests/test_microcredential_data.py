"""Micro-credential descriptors in the published data (issue 14 items 3, 4): OB 3.0 native properties plus one
extension object with an embedded context, the OB 2.0 extension and the labelled description section."""

from __future__ import annotations

import json
import textwrap

import pytest
from browser import Server, free_port
from browser_sites import panel_state
from conftest import BASE_URL, SALT, default_files, identity_hash, write_files
from helpers import read_json

from sitegen import microcredentials
from sitegen.build.pipeline import build_site
from sitegen.cli import main
from sitegen.openbadges import jsonld
from sitegen.openbadges.keys import generate, load_private_key
from sitegen.openbadges.proofs import lost_fields, verify_credential

MC_AWARD = "3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b"
PLAIN_AWARD = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
CORPORATE_NUMBER = "7000012050002"  # the National Tax Agency's own (国税庁)

MC_FILES = {
    "content/issuers/mc-uni.yaml": f"""\
        name: {{ja: マイクロ大学, en: Micro University}}
        url: https://mc.example.org
        email: badges@mc.example.org
        country: JP
        identifiers:
          - {{type: corporate-number, value: "{CORPORATE_NUMBER}"}}
        """,
    "content/badgeclasses/data-science.yaml": """\
        issuer: mc-uni
        name: {ja: データサイエンス入門, en: Introduction to Data Science}
        description: {ja: データを読み解く力を身につける。, en: Learn to read data.}
        image: images/python.png
        image_caption: A blue square
        criteria: Pass the final examination.
        microcredential:
          learning_outcomes:
            - {ja: データを可視化できる, en: Visualise a data set}
            - {ja: 回帰分析を説明できる, en: Explain a linear regression}
          workload_hours: 7.5  # a fraction: canonical N-Quads of doubles must agree in every verifier
          credits: {value: 1.5, system: ECTS}
          level: {framework: EQF, code: "5", name: {ja: EQF レベル5, en: EQF level 5}, url: "https://europa.eu/europass/en/description-eight-eqf-levels"}
          assessment:
            - {type: examination, text: {ja: 60分の筆記試験, en: A 60-minute written examination}}
            - project
          participation: online
          identity_verification: supervised-online
          quality_assurance: {text: {ja: 大学の内部質保証, en: The university's internal quality assurance}, url: "https://mc.example.org/qa"}
          prerequisites: {ja: 高校数学, en: High-school mathematics}
          stackable_into: [python-basics, "https://other.example.org/badges/ai-program.json"]
          field_of_study: {ja: 情報科学, en: Computer science}
          code: DS-101
          language_of_instruction: [ja, en]
        """,
    "content/assertions/data-science.yaml": f"""\
        badge: data-science
        issued_on: 2026-06-01
        awards:
          - id: {MC_AWARD}
            recipient: {{hash: "{identity_hash("dana@example.org")}", salt: "{SALT}"}}
            grade: A
          - id: {PLAIN_AWARD}
            recipient: {{hash: "{identity_hash("erin@example.org")}", salt: "{SALT}"}}
        """,
}


def build_signed(root, extra: dict, private: str, public: str, *, language: str = "en", base_url: str = BASE_URL):
    files = {**default_files(), **extra}
    files["content/site.yaml"] = (
        textwrap.dedent(files["content/site.yaml"])
        .replace("default_language: en", f"default_language: {language}")
        .replace(BASE_URL, base_url)
        + f"keys:\n  - id: key-1\n    public_key: {public}\n"
    )
    write_files(root, files)
    build_site(root, environ={"SITEGEN_SIGNING_KEY": private})
    return root / "output"


@pytest.fixture(scope="module")
def key():
    return generate()


@pytest.fixture(scope="module")
def site(tmp_path_factory, key):
    return build_signed(tmp_path_factory.mktemp("mc"), MC_FILES, *key)


def test_ob3_native_properties(site):
    credential = read_json(site / f"credentials/{MC_AWARD}.json")
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["creditsAvailable"] == 1.5
    assert achievement["fieldOfStudy"] == "Computer science"
    assert achievement["humanCode"] == "DS-101"
    assert achievement["inLanguage"] == "en"  # the language the document is written in
    [level] = achievement["alignment"]
    assert level == {
        "type": ["Alignment"],
        "targetType": "ext:QualificationsFrameworkLevel",
        "targetFramework": "EQF",
        "targetCode": "5",
        "targetName": "EQF level 5",
        "targetUrl": "https://europa.eu/europass/en/description-eight-eqf-levels",
    }
    assert achievement["related"] == [
        {"id": f"{BASE_URL}/badges/python-basics.json", "type": ["Related"]},
        {"id": "https://other.example.org/badges/ai-program.json", "type": ["Related"]},
    ]
    issuer = credential["issuer"]
    assert issuer["address"] == {"type": ["Address"], "addressCountryCode": "JP"}
    assert issuer["otherIdentifier"] == [
        {"type": "IdentifierEntry", "identifier": CORPORATE_NUMBER, "identifierType": "ext:JapanCorporateNumber"}
    ]
    # The grade: the achievement describes it, the subject's result gives it.
    [description] = achievement["resultDescription"]
    assert description["resultType"] == "Result" and description["name"] == "Grade"
    assert credential["credentialSubject"]["result"] == [
        {"type": ["Result"], "resultDescription": description["id"], "value": "A"}
    ]


def test_ob3_extension_carries_the_rest(site):
    credential = read_json(site / f"credentials/{MC_AWARD}.json")
    extension = credential["credentialSubject"]["achievement"]["microCredential"]
    assert extension == {
        "type": "MicroCredentialDescriptors",
        "learningOutcomes": ["Visualise a data set", "Explain a linear regression"],
        "workloadHours": 7.5,
        "creditSystem": "ECTS",
        "assessment": [
            {"assessmentType": "examination", "description": "A 60-minute written examination"},
            {"assessmentType": "project"},
        ],
        "participation": "online",
        "identityVerification": "supervised-online",
        "qualityAssurance": {
            "description": "The university's internal quality assurance",
            "url": "https://mc.example.org/qa",
        },
        "prerequisites": "High-school mathematics",
        "stackableInto": [
            f"{BASE_URL}/badges/python-basics.json",
            "https://other.example.org/badges/ai-program.json",
        ],
        "languageOfInstruction": ["ja", "en"],
    }
    # Its context is embedded: nothing to fetch, and JSON-LD keeps every term (the signer checked it too).
    assert isinstance(credential["@context"][-1], dict)
    assert lost_fields({k: v for k, v in credential.items() if k != "proof"}) == []
    nquads = jsonld.canonize({k: v for k, v in credential.items() if k != "proof"})
    for value in ("Explain a linear regression", "supervised-online", "High-school mathematics", "ECTS"):
        assert value in nquads
    assert "<https://w3id.org/sitegen/microcredential#workloadHours>" in nquads


def swapped_terms(credential: dict) -> dict:
    """A forgery that keeps the signed triples: two terms' definitions swapped in the embedded context, and
    their values swapped in the JSON, so a reader of the JSON sees other words under the same signature."""
    forged = json.loads(json.dumps(credential))
    terms = forged["@context"][-1]["microCredential"]["@context"]
    terms["participation"], terms["identityVerification"] = terms["identityVerification"], terms["participation"]
    mc = forged["credentialSubject"]["achievement"]["microCredential"]
    mc["participation"], mc["identityVerification"] = mc["identityVerification"], mc["participation"]
    return forged


def test_only_sitegens_own_embedded_context_is_accepted(site, key):
    credential = read_json(site / f"credentials/{MC_AWARD}.json")
    public = load_private_key(key[0]).public_key()
    assert verify_credential(credential, lambda _vm: public) == []
    forged = swapped_terms(credential)
    # The same RDF: the signature alone would hold.
    strip = {k: v for k, v in forged.items() if k != "proof"}
    assert jsonld.canonize(strip) == jsonld.canonize({k: v for k, v in credential.items() if k != "proof"})
    assert verify_credential(forged, lambda _vm: public) == [
        "the proof cannot be checked: an embedded @context that is not one of sitegen's own"
    ]
    nested = json.loads(json.dumps(credential))
    nested["credentialSubject"]["achievement"]["@context"] = {"prerequisites": "https://example.org/x"}
    assert verify_credential(nested, lambda _vm: public) == [
        "the proof cannot be checked: an @context nested in the data"
    ]


def test_signed_output_verifies(site, capsys):
    assert main(["verify", str(site), "--base-url", BASE_URL]) == 0, capsys.readouterr()


def test_ob2_extension_and_description(site):
    badge = read_json(site / "badges/data-science.json")
    extension = badge["extensions:MicroCredentialExtension"]
    assert extension["type"] == ["Extension", "extensions:MicroCredentialExtension"]
    assert extension["@context"] == f"{BASE_URL}/contexts/microcredential-ob2.json"
    assert extension["learningOutcomes"] == ["Visualise a data set", "Explain a linear regression"]
    assert extension["workloadHours"] == 7.5
    assert extension["credits"] == {"value": 1.5, "system": "ECTS"}
    assert extension["level"] == {
        "framework": "EQF",
        "code": "5",
        "name": "EQF level 5",
        "url": "https://europa.eu/europass/en/description-eight-eqf-levels",
    }
    assert extension["participation"] == "online"
    assert extension["identityVerification"] == "supervised-online"
    assert extension["stackableInto"][0] == f"{BASE_URL}/badges/python-basics.json"
    assert extension["languageOfInstruction"] == ["ja", "en"]
    assert extension["country"] == "JP"
    # Every displayer shows the description: the descriptors follow it, labelled.
    description = badge["description"]
    assert description.startswith("Learn to read data.\n\n")
    for line in (
        "Learning outcomes: Visualise a data set; Explain a linear regression",
        "Workload (hours): 7.5",
        "Credits: 1.5 ECTS",
        "Assessment: Examination (A 60-minute written examination); Project",  # controlled values in words
        "Form of participation: Online",
        "Level: EQF level 5 (EQF 5)",
        "Quality assurance: The university's internal quality assurance (https://mc.example.org/qa)",
        "Country of the issuer: Japan (JP)",
    ):
        assert line in description
    # The grade is on the award's assertion, as an extension too.
    assertion = read_json(site / f"assertions/{MC_AWARD}.json")
    assert assertion["extensions:MicroCredentialGrade"]["grade"] == "A"
    context = read_json(site / "contexts/microcredential-ob2.json")
    assert context["obi:validation"][0]["obi:validatesType"] == "extensions:MicroCredentialExtension"
    schema_url = context["obi:validation"][0]["obi:validationSchema"]
    assert (site / schema_url.removeprefix(BASE_URL + "/")).is_file()


def test_japanese_description_uses_japanese_labels(tmp_path, key):
    site = build_signed(tmp_path, MC_FILES, *key, language="ja")
    description = read_json(site / "badges/data-science.json")["description"]
    assert "学習成果：データを可視化できる；回帰分析を説明できる" in description
    assert "学習時間（時間）：7.5" in description
    assert "発行者の国：日本（JP）" in description
    assert "受講形態：オンライン" in description  # a controlled value in words, in Japanese too
    assert "レベル：EQF レベル5（EQF 5）" in description


def test_badges_without_the_block_publish_what_they_did(tmp_path, key):
    """The other badges of the same site publish byte for byte what a site without micro-credentials does."""
    plain = build_signed(tmp_path / "plain", {}, *key)
    with_mc = build_signed(tmp_path / "mc", MC_FILES, *key)
    for rel in ("badges/python-basics.json", "badges/star.json", "issuers/test-uni.json"):
        assert (plain / rel).read_bytes() == (with_mc / rel).read_bytes(), rel
    for name in ("5b8f6d8e-2f4a-4c1e-9a57-0f1e2d3c4b5a", "7c9e6679-7425-40de-944b-e07fc1f90ae7"):
        assert (plain / f"assertions/{name}.json").read_bytes() == (with_mc / f"assertions/{name}.json").read_bytes()
        before, after = (read_json(root / f"credentials/{name}.json") for root in (plain, with_mc))
        before.pop("proof"), after.pop("proof")  # the proof's `created` is the time of signing
        assert json.dumps(before, sort_keys=True) == json.dumps(after, sort_keys=True)


def test_the_browser_checks_pass_for_a_micro_credential(tmp_path, key, page):
    """The pages' own checker (assets/vendor/ob3-proof.js) verifies the credential with its embedded context."""
    port = free_port()
    output = build_signed(tmp_path, MC_FILES, *key, base_url=f"http://127.0.0.1:{port}")
    server = Server(output, port)
    try:
        page.goto(f"{server.url}/assertions/{MC_AWARD}.html")
        assert page.get_attribute(".verify-panel", "data-credential")
        assert panel_state(page) == "valid"
        page.goto(f"{server.url}/verify.html")
        page.set_input_files("#badge-file", str(output / f"credentials/{MC_AWARD}.png"))
        assert panel_state(page) == "valid"
        # The term-swapping forgery (same triples, other words in the JSON) is not called valid.
        page.evaluate("document.querySelector('.verify-panel').removeAttribute('data-state')")
        forged = swapped_terms(read_json(output / f"credentials/{MC_AWARD}.json"))
        page.fill("#badge-text", json.dumps(forged))
        page.click("[data-verify-text-form] button")
        assert panel_state(page) != "valid"
        assert "an embedded context" in page.inner_text(".verify-panel")
    finally:
        server.stop()


def test_every_descriptor_is_where_the_table_says(site):
    """sitegen/microcredentials.py is the mapping: each row's OB 3.0 property (or the extension) and OB 2.0 key
    is present in the published documents of a badge that gives every descriptor."""
    credential = read_json(site / f"credentials/{MC_AWARD}.json")
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]
    ob2_badge = read_json(site / "badges/data-science.json")["extensions:MicroCredentialExtension"]
    ob2_assertion = read_json(site / f"assertions/{MC_AWARD}.json")["extensions:MicroCredentialGrade"]
    for row in microcredentials.DESCRIPTORS:
        if row.where == microcredentials.FROM_CORE:
            continue
        if row.ob3 == microcredentials.EXTENSION:
            assert row.ob2 in achievement["microCredential"], row.key  # the same key in both extensions
        else:
            top = row.ob3.split(".")[0]
            assert top in achievement or top in credential["issuer"] or top in subject, row.key
        assert row.ob2 in (ob2_assertion if row.where == microcredentials.AWARD else ob2_badge), row.key
