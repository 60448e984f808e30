"""Case-log: cases, victims, perpetrators, services, lookups, audit — issue 5."""
from .cases import (  # noqa: F401
    CASE_STATUSES,
    Case,
    CaseCategory,
    CaseNumberCounter,
    Perpetrator,
    ServiceEntry,
    StatusChange,
    Victim,
    VictimPerpetrator,
)
from .lookups import Kecamatan, Kelurahan, Lookup  # noqa: F401
from .management import (  # noqa: F401
    CLOSURE_STATES,
    REFERRAL_STATUSES,
    CaseAttachment,
    CaseTask,
    ClosureRequest,
    Referral,
    ReferralStatusChange,
    TaskDigest,
)
from .records import AuditEntry, ImportBatch  # noqa: F401
from .submissions import SUBMISSION_STATUSES, EncryptedBytes, PoliceSubmission  # noqa: F401
from .types import Ciphertext, EncryptedDate, EncryptedText  # noqa: F401
