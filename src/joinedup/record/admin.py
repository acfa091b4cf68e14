"""Organisations, neighbourhoods and teams in Django's admin; never a person (the admin would
bypass the access rules that guard identifiable records)."""

from django.contrib import admin

from joinedup.record.models import GpPractice, Neighbourhood, Organisation, Team


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "ods_code"]
    list_filter = ["kind"]
    search_fields = ["name", "ods_code"]


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(admin.ModelAdmin):
    list_display = ["name", "id", "postcode_district", "population"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "neighbourhood", "go_live_date", "organisation"]


@admin.register(GpPractice)
class GpPracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "neighbourhood", "organisation"]
