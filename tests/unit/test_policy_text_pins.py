"""What the published policy text (2019-09-20) says, stated here word for word and apart from the policy
module: if a §10 contact or a §5 particular in `policybound.policy` drifts from the text, these fail.

The expected values are copied from the policy text, not read from the policy module (nor from the text
file, which is not part of this repository)."""

from __future__ import annotations

from policybound import policy

# §10 "Contact information of the Personal Information Manager and the persons in charge":
# (category, department in charge, e-mail), in the text's order.
POLICY_CONTACTS = [
    ("Personal Information Manager", "Person in charge of Jeon-do Management", "infosec01@lgcns.com"),
    ("Person in charge of personal information", "Information Security Team", "infosec01@lgcns.com"),
    ("Website Personal Information Manager", "PR Team Leader", "mediapr@lgcns.com"),
    ("Person in charge of website personal information", "PR Team", "mediapr@lgcns.com"),
]

# §5 "Consignment of collected personal information", one consignee.
POLICY_CONSIGNMENT = {
    "duties": "Data storage and system operation",
    "country": "Seoul, Korea (AWS Seoul Region)",
    "items": "All personal information collected in the process of providing services",
    "time": "When required information is entered for service use",
    "method": "Storing personal information in the AWS cloud computing environment",
    "retention": "Retention until membership withdrawal or expiration of personal information",
}


def test_every_section_10_contact_is_the_texts_role_department_and_email_in_order() -> None:
    declared = [(c.role.en, c.department.en, c.email) for c in policy.CONTACTS]
    assert declared == POLICY_CONTACTS


def test_section_10_contacts_have_korean_text_too() -> None:
    assert all(c.role.ko and c.department.ko for c in policy.CONTACTS)


def test_the_section_5_consignment_particulars_are_the_texts() -> None:
    (consignee,) = policy.CONSIGNEES
    declared = {
        "duties": consignee.duties.en,
        "country": consignee.country.en,
        "items": consignee.items.en,
        "time": consignee.transfer_time.en,
        "method": consignee.transfer_method.en,
        "retention": consignee.retention.en,
    }
    assert declared == POLICY_CONSIGNMENT


def test_the_consignee_keeps_pi_in_the_seoul_region() -> None:
    (consignee,) = policy.CONSIGNEES
    assert consignee.region == "ap-northeast-2"
    assert consignee.company.startswith("Amazon Web Service")
