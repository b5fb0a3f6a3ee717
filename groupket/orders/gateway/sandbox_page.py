"""The sandbox gateway's own card page: plain HTML, no script, served from the sandbox's origin.

Like Toss Payments' payment window, it belongs to the gateway: the shop sends the buyer here by a
top-level navigation and gets the buyer back by a redirect. Korean first, English beside it.
"""

from html import escape

from groupket.orders.gateway.sandbox_ledger import (
    APPROVED_CARD,
    DECLINED_AT_CONFIRM_CARD,
    DECLINED_AT_WINDOW_CARD,
)

# Its own page, its own rules: nothing loads from anywhere, the form posts back here.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_STYLE = """
body { font-family: sans-serif; max-width: 28rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
.order { border: 1px solid #888; padding: 0.5rem 1rem; }
.error { color: #a00000; font-weight: bold; }
input { font-size: 1.1rem; width: 100%; box-sizing: border-box; padding: 0.4rem; }
button { font-size: 1.1rem; margin: 1rem 0.5rem 0 0; padding: 0.4rem 1rem; }
"""


def _page(title: str, body: str) -> bytes:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="ko"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_STYLE}</style></head><body><main>{body}</main></body></html>"
    ).encode()


def card_page(*, session_id: str, session: dict, error: str = "") -> bytes:
    error_html = f'<p class="error" role="alert" id="card-error">{escape(error)}</p>' if error else ""
    described = ' aria-describedby="card-error"' if error else ""
    body = f"""
<h1>샌드박스 결제 (Sandbox payment)</h1>
<div class="order">
  <p>주문명 (Order): <strong id="order-name">{escape(session["orderName"])}</strong></p>
  <p>결제 금액 (Amount): <strong id="amount">{session["amount"]:,}원</strong></p>
</div>
{error_html}
<form method="post" action="/checkout">
  <input type="hidden" name="session" value="{escape(session_id)}">
  <p><label for="card-number">카드 번호 (Card number)</label>
  <input id="card-number" name="cardNumber" inputmode="numeric" autocomplete="off" required{described}></p>
  <button type="submit" name="action" value="pay">결제하기 (Pay)</button>
  <button type="submit" name="action" value="cancel" formnovalidate>취소 (Cancel)</button>
</form>
<h2>테스트 카드 (Test cards)</h2>
<ul>
  <li><code>{APPROVED_CARD}</code>: 승인 (approved)</li>
  <li><code>{DECLINED_AT_WINDOW_CARD}</code>: 카드사 거절 (refused by the issuer)</li>
  <li><code>{DECLINED_AT_CONFIRM_CARD}</code>: 승인 단계에서 잔액 부족 (refused at confirm: no funds)</li>
</ul>
"""
    return _page("샌드박스 결제 (Sandbox payment)", body)


def problem_page(message: str) -> bytes:
    body = f'<h1>결제를 진행할 수 없습니다 (The payment cannot go on)</h1><p class="error">{escape(message)}</p>'
    return _page("결제 오류 (Payment error)", body)
