"""Tasks are acknowledged late, so a worker that dies hands its task to the next one: each task must finish
when it runs again (make cluster-test kills a real worker; these are the cases one process can show)."""

import zipfile
from io import BytesIO

import pytest
from django.test import Client

from groupket.privacy.delivery.exports import build_export
from groupket.privacy.models import DataExport
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, MemberFactory


@pytest.mark.django_db
def test_an_export_whose_worker_died_mid_build_is_built_when_the_task_runs_again(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    member = MemberFactory()
    sign_in(client, member)
    with django_capture_on_commit_callbacks(execute=False):  # the first worker takes the task and dies
        client.post("/me/export/", {"password": DEFAULT_PASSWORD})
    export = DataExport.objects.get(member_id=member.pk)
    DataExport.objects.filter(pk=export.pk).update(status=DataExport.BUILDING, progress=40)

    build_export(export_id=export.pk, language="en")

    export.refresh_from_db()
    assert export.status == DataExport.READY
    archive = zipfile.ZipFile(BytesIO(client.get(f"/me/export/{export.pk}/download/").content))
    assert "data.json" in archive.namelist()


@pytest.mark.django_db
def test_a_finished_export_is_not_built_again_by_a_second_delivery(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    member = MemberFactory()
    sign_in(client, member)
    with django_capture_on_commit_callbacks(execute=True):  # without a broker the build runs at commit
        client.post("/me/export/", {"password": DEFAULT_PASSWORD})
    export = DataExport.objects.get(member_id=member.pk)
    assert export.status == DataExport.READY
    finished_at = export.finished_at

    build_export(export_id=export.pk, language="en")

    export.refresh_from_db()
    assert export.finished_at == finished_at


def test_tasks_are_acknowledged_after_they_finish_one_at_a_time() -> None:
    from groupket.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
