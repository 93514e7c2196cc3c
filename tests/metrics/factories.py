"""Factories for the metrics tests that tests/factories.py does not have."""

import factory
from factory.django import DjangoModelFactory

from pathways.models import ConfidenceRating
from tests.factories import EnrollmentFactory


class ConfidenceRatingFactory(DjangoModelFactory):
    class Meta:
        model = ConfidenceRating

    enrollment = factory.SubFactory(EnrollmentFactory)
    moment = ConfidenceRating.Moment.START
    rating = 3
