"""Models, one module per aggregate. Columns and relationships only: rules live in services."""
from . import caselog, certificates, letters, mail  # noqa: F401,E402  (each feature's own models)
from .accounts import ROLES, User, UserRole  # noqa: F401
from .couples import INSTITUTION_TYPES, Couple, CoupleMember, InviteCode  # noqa: F401
from .learning import (  # noqa: F401
    AttemptQuestion,
    ContentLoad,
    Lesson,
    LessonProgress,
    Module,
    Option,
    Question,
    QuizAttempt,
)
