"""Install version 2 of the Privacy Policy from privacy/documents/ (privacy.v2.*.txt), as 0002 installed version 1.

The change restructures the policy as Korean members expect one (articles 제1조 to 제13조, the rights of data
subjects named one by one, two more places to report, a clause on changes) and takes nothing away: what is
collected, why, from whom, for how long and who receives it stay the same. So it is not material (no notice ahead,
nobody is asked to agree again), and it takes effect on the day it is installed, never before the version it follows.
The text names its own effective date, filled in here so that the text and the version row never disagree.
"""

from datetime import date, datetime, time

from django.db import migrations
from django.utils import timezone

from groupket.privacy.documents import read_document

KIND = "privacy"
# Recorded as the actor, as 0006 names the versions installed by migrations before it.
PUBLISHED_BY = "migration privacy.0007 (version 2 of the Privacy Policy)"
RELEASE_DAY = date(2026, 12, 1)
MONTHS = "January February March April May June July August September October November December".split()
SUMMARY_EN = (
    "The policy now reads as Korean privacy policies do, and nothing is taken away. Its sections are Articles 1 to "
    '13, and its cross-references say so. Article 6, now "Rights and Duties of Data Subjects and How to Exercise '
    'Them", names each right: to see, correct and delete your information, to have its processing stopped, and to '
    "withdraw consent. Article 12 adds the Supreme Prosecutors' Office (1301) and the Korean National Police Agency "
    "(182) as places to report. The new Article 13 gives the effective date and how changes are announced. The "
    "closing disclaimer of Article 7 no longer covers damage where Groupket is at fault or a law provides otherwise. "
    "What Groupket collects, why, who receives it and how long it is kept do not change, so this change is not "
    "material and you need not agree again."
)
SUMMARY_KO = (
    "회원에게 익숙한 개인정보 처리방침 형식으로 구성을 바꾸었으며, 줄어든 권리는 없습니다. 각 항목을 제1조부터 "
    "제13조까지 조 단위로 정리하고 본문의 참조도 이에 맞추었습니다. 제6조를 '정보주체의 권리·의무 및 행사 방법'으로 "
    "바꾸어 열람, 정정, 삭제, 처리정지 요구와 동의 철회를 모두 적었습니다. 제12조에 신고 기관으로 대검찰청(국번 없이 "
    "1301)과 경찰청(국번 없이 182)을 추가했습니다. 제13조(개인정보 처리방침의 변경)를 새로 두어 시행일과 변경 안내 "
    "방법을 적었습니다. 제7조의 책임 제한은 그룹켓에 고의나 과실이 있거나 법령에서 달리 정한 경우에는 적용되지 "
    "않습니다. 수집하는 항목, 이용 목적, 제공받는 자, 보유 기간은 바뀌지 않으므로 중요한 변경이 아니며, 다시 동의하실 "
    "필요는 없습니다."
)


def _written(day: date) -> dict[str, str]:
    return {"en": f"{day.day} {MONTHS[day.month - 1]} {day.year}", "ko": f"{day.year}년 {day.month}월 {day.day}일"}


def load(apps, schema_editor):
    PolicyDocument = apps.get_model("privacy", "PolicyDocument")
    if PolicyDocument.objects.filter(kind=KIND, change_summary_en=SUMMARY_EN).exists():
        return
    previous = PolicyDocument.objects.filter(kind=KIND).order_by("-version").first()
    # Never retroactive on a database migrated after the release day, never before the version it follows.
    day = max(RELEASE_DAY, timezone.localdate(), timezone.localdate(previous.effective_at))
    effective_at = max(timezone.make_aware(datetime.combine(day, time.min)), previous.effective_at)
    written = _written(timezone.localdate(effective_at))
    bodies = {
        language: read_document(KIND, language, 2).replace("{effective_date}", written[language])
        for language in written
    }
    PolicyDocument.objects.create(
        kind=KIND,
        version=previous.version + 1,
        effective_at=effective_at,
        material=False,
        disadvantageous=False,
        change_summary_en=SUMMARY_EN,
        change_summary_ko=SUMMARY_KO,
        body_en=bodies["en"],
        body_ko=bodies["ko"],
        published_by_operator=PUBLISHED_BY,
    )


def unload(apps, schema_editor):
    apps.get_model("privacy", "PolicyDocument").objects.filter(kind=KIND, change_summary_en=SUMMARY_EN).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0006_name_earlier_actors")]
    operations = [migrations.RunPython(load, unload)]
