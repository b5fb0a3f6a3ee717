"""The demo community `make run` shows: a few spaces in Korean and English, with posts, comments and likes.

Made through the same services members use, by the demo members of `load_demo`; a space
already there is left alone, so running it again changes nothing. The notifications it causes (replies,
mentions) are made, but not mailed to the demo members (load_demo.no_mail_to_demo_members).
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from groupket.accounts.management.commands.load_demo import demo_members, no_mail_to_demo_members
from groupket.spaces.models import Space
from groupket.spaces.services import members, posts
from groupket.spaces.services.spaces import SpaceDetails, create_space


@dataclass(frozen=True)
class DemoPost:
    author: str
    body: str
    title: str | None = None
    comments: tuple[tuple[str, str], ...] = ()
    liked_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoSpace:
    slug: str
    owner: str
    details: SpaceDetails
    joined: tuple[str, ...] = ()
    invited: tuple[str, ...] = ()
    posts: tuple[DemoPost, ...] = field(default=())


DEMO_SPACES = (
    DemoSpace(
        "mangwon-bread",
        "minji.kim",
        SpaceDetails(
            name="망원동 빵 모임",
            description="망원동과 합정동의 빵집을 함께 다니고, 집에서 구운 빵 이야기를 나눕니다.",
            rules=("서로 존중하세요.", "광고 글은 올리지 마세요.", "빵집 정보는 직접 가 본 곳만 올려 주세요."),
            visibility=Space.PUBLIC,
            joining=Space.OPEN,
        ),
        joined=("junho.lee", "alex.morgan"),
        posts=(
            DemoPost(
                "junho.lee",
                "토요일 아침 10시에 망원시장 입구에서 만나요. **사워도우** 맛집 세 곳을 돌 예정입니다.\n\n"
                "@minji.kim 님, 지난번 그 빵집 이름이 뭐였죠?",
                title="이번 주 토요일 빵집 투어",
                comments=(
                    ("minji.kim", "'오월의 종'이에요! 10시 전에 가야 바게트가 있어요."),
                    ("alex.morgan", "I'll join!"),
                ),
                liked_by=("minji.kim", "alex.morgan"),
            ),
            DemoPost(
                "minji.kim", "집에서 처음으로 **깜빠뉴**를 구웠습니다. 르방은 5일 키웠어요.", liked_by=("junho.lee",)
            ),
        ),
    ),
    DemoSpace(
        "seoul-hikers",
        "alex.morgan",
        SpaceDetails(
            name="Seoul Hikers",
            description="Weekend hikes around Seoul for English speakers: Bukhansan, Gwanaksan and the city walls.",
            rules=("Be kind and patient with new hikers.", "No ads.", "Share routes you have walked yourself."),
            visibility=Space.PUBLIC,
            joining=Space.APPROVAL,
        ),
        joined=("minji.kim",),
        posts=(
            DemoPost(
                "alex.morgan",
                # No link: screening keeps links out of a new member's first 2 posts, and demo members are new.
                "Meet at Bukhansanseong entrance at 8:00. Bring water and a snack; the route is "
                "on the Korea National Park Service's site.",
                title="Sunday: Baegundae peak",
                comments=(("minji.kim", "Count me in. Is it OK for a first hike?"),),
                liked_by=("minji.kim",),
            ),
        ),
    ),
    DemoSpace(
        "hangang-runners",
        "junho.lee",
        SpaceDetails(
            name="한강 러닝 크루",
            description="평일 저녁 여의도 한강공원에서 5km를 함께 달립니다. 회원만 게시물을 볼 수 있습니다.",
            rules=("부상을 조심하세요.",),
            visibility=Space.MEMBERS_ONLY,
            joining=Space.APPROVAL,
        ),
        joined=("minji.kim",),
        posts=(DemoPost("junho.lee", "이번 주 수요일은 비 예보가 있어 쉽니다.", title="수요일 러닝 쉬어요"),),
    ),
    DemoSpace(
        "book-circle",
        "alex.morgan",
        SpaceDetails(
            name="Book Circle",
            description="A small circle reading one book a month, in English and Korean.",
            rules=("No spoilers before the meeting.",),
            visibility=Space.HIDDEN,
            joining=Space.INVITATION,
        ),
        invited=("minji.kim",),
        posts=(DemoPost("alex.morgan", "December's book: *The Vegetarian* by Han Kang."),),
    ),
)


class Command(BaseCommand):
    help = "Create the demo spaces, posts and comments (existing spaces are left alone); needs load_demo first."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.GROUPKET_ENV == "production":
            raise CommandError("load_spaces_demo fills spaces with demo content; it does not run in production.")
        people = demo_members()
        created = 0
        with no_mail_to_demo_members():
            for demo in DEMO_SPACES:
                if Space.objects.filter(slug=demo.slug).exists():
                    continue
                self._create(demo, people)
                created += 1
        self.stdout.write(
            self.style.SUCCESS(f"{created} demo spaces created, {len(DEMO_SPACES) - created} already there.")
        )
        self.stdout.write(f"Open {settings.SITE_URL}/spaces/ or sign in as minji.kim to see her home feed.")

    @staticmethod
    def _create(demo: DemoSpace, people: dict[str, Any]) -> None:
        with transaction.atomic():
            space = create_space(actor=people[demo.owner], slug=demo.slug, details=demo.details)
            owner = people[demo.owner]
            for name in demo.joined:
                members.join_space(actor=people[name], space=space)
                if demo.details.joining != Space.OPEN:
                    members.answer_join_request(actor=owner, space=space, member_id=people[name].pk, approve=True)
            for name in demo.invited:
                members.invite_member(actor=owner, space=space, invitee=people[name])
            for demo_post in demo.posts:
                post = posts.create_post(
                    actor=people[demo_post.author], space=space, title=demo_post.title, body=demo_post.body
                )
                for author, body in demo_post.comments:
                    posts.add_comment(actor=people[author], post=post, body=body)
                for name in demo_post.liked_by:
                    posts.set_like(actor=people[name], post=post, liked=True)
