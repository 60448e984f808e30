"""Certificates (product §6): eligibility, issue, status, marriage records, revocation.

A couple's certificate is issued the moment the last condition of `eligibility()` holds
(`issuing` has receivers for the domain events that can complete it, connected in
`course_app/wiring.py`). Issuing freezes a snapshot, signs the token, draws the QR and builds
the PDF once; the couple is locked from then on. A failed issue never undoes the action that
triggered it: `certificates issue-pending` (cron) and the next dashboard view retry.

- `rules`: ids, names, ages, statuses and labels, finding a couple's certificate;
- `eligibility`: the conditions, in one function, and court dispensations;
- `issuing`: issuing, retrying what is pending, and the event receivers;
- `verification`: the public status, checking a token, the signed status list;
- `records`: recording the marriage, revocation, the reviewers' search;
- `dashboard`: the couple's panel and downloads, learning completed for the demo.
"""
from .dashboard import (  # noqa: F401
    CertificatePanel,
    certificate_panel,
    complete_learning_for_demo,
    find_own_certificate,
)
from .eligibility import (  # noqa: F401
    Eligibility,
    Missing,
    couples_needing_dispensation,
    dispensation_for,
    eligibility,
    find_couple,
    record_dispensation,
)
from .issuing import (  # noqa: F401
    build_snapshot,
    issue_certificate,
    issue_if_eligible,
    issue_pending,
    issue_pending_for,
    pending_couples,
    try_to_issue,
)
from .records import (  # noqa: F401
    MarriageAlreadyRecorded,
    notify_revocation,
    record_marriage,
    revoke_certificate,
    search_certificates,
)
from .rules import (  # noqa: F401
    REVOCATION_LABELS,
    STATUS_LABELS,
    age_on,
    clean_name,
    find_certificate,
    get_certificate,
    latest_certificate,
    live_certificate,
    mask_name,
    names_of,
    new_certificate_id,
    normalise_id,
    people_of,
    revocation_label,
    revoked_certificate,
    status_label,
    status_of,
    token_text,
)
from .verification import (  # noqa: F401
    STATUS_LIST_VERSION,
    Verification,
    api_status,
    id_hash,
    split_verify_input,
    status_list,
    verify_token,
)
