"""How often each input of the published figures has changed (upskill.cache)."""

from django.db import models


class FigureInput(models.Model):
    """One input of the cached figures (the organisation, the pulses, ...) and its
    generation: it grows by one in the same transaction as every write to that input,
    so a figure cached under the old generation is never read again. A row is created
    by the first change, starting from a random generation (upskill.cache), so a fresh
    database never meets the entries an earlier one left in a shared cache."""

    name = models.CharField(max_length=40, primary_key=True)
    generation = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return f"{self.name} at generation {self.generation}"
