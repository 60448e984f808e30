"""Modules, lessons and quizzes for participants (blueprint `learning`, /materi). The rules live
in services/learning.py and services/quizzes.py."""
