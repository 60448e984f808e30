"""Good-conduct letters (SKCK): the participant's upload (blueprint `letters`, /surat) and the
reviewers' desk (blueprint `review`, /tinjau). The rules live in services/letters/."""
