"""The bare view bench/feed.py measures the feeds against, and the URLs of that run (the project's, plus it).

One indexed query on the posts table (a space's newest posts after a cursor, by the same keyset index as the
space feed) and the same number of rows rendered in the same page layout, with nothing opened or rendered.
"""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

from groupket.spaces.feeds import after, decode_cursor, page_size
from groupket.spaces.models import Post

PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<h1>Bare</h1>'
    '{% for row in rows %}<article class="bare-row" id="post-{{ row.pk }}"><p>#{{ row.pk }} · '
    '<time datetime="{{ row.created_at|date:"c" }}">{{ row.created_at|date:"Y-m-d H:i" }}</time> · '
    "{{ row.like_count }} · {{ row.comment_count }}</p></article>{% endfor %}{% endblock %}"
)


def bare(request: HttpRequest, slug: str) -> HttpResponse:
    rows = Post.objects.filter(space__slug=slug).only("created_at", "like_count", "comment_count")
    if cursor := request.GET.get("after"):
        rows = rows.filter(after(*decode_cursor(cursor)))
    found = list(rows.order_by("-created_at", "-pk")[: page_size()])
    return HttpResponse(PAGE.render({"rows": found}, request))


urlpatterns = [path("bench/bare/<slug:slug>/", bare), path("", include("groupket.urls"))]
