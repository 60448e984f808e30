"""Good-conduct letters (SKCK): the participant's upload (blueprint `letters`, /surat) and the
reviewers' desk (blueprint `review`, /tinjau). The rules live in services/letters/.

The desk also shows the quizzes' item statistics (`item_statistics`) and the programme's numbers
(`programme_statistics`), their views registered on the `review` blueprint here, so create_app's
import of `routes` brings them along."""
from . import item_statistics, programme_statistics  # noqa: F401
