"""What demo customers write and demo agents answer, in English and Traditional Chinese.

One `Topic` per kind of issue of the cs-sop preset (order status, refunds, account lockout,
payment failure, defects, complaints, supervisor requests, legal threats, media mentions ...):
its opening messages (`{n}` is an order number, `{amt}` an amount in NT$), what agents say at
each step, the reply template it uses and the flow agents follow (`tierdesk.demo.life`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

Lines = dict[str, tuple[str, ...]]  # language -> variants


@dataclass(frozen=True)
class Topic:
    key: str
    weight: int  # how common, relative
    flow: str  # plain, refund, account, defect, complaint, supervisor, sensitive, technical
    opening: Lines
    agent: dict[str, Lines] = field(default_factory=dict)  # step -> language -> variants
    template: str = "acknowledge_reply"
    zh_first: bool = False  # more often written in Chinese (e.g. on LINE)
    amounts: tuple[int, ...] = ()

    def text(self, rng: random.Random, lang: str, *, follow_up: bool = False) -> str:
        """An opening message; a returning customer says it is not their first contact."""
        body = rng.choice(self.opening[lang]).format(
            n=rng.randrange(100000, 999999), amt=f"{rng.choice(self.amounts or (0,)):,}"
        )
        if follow_up:
            body = (
                "我之前已經聯繫過了。" if lang == "zh-TW" else "I already contacted you. "
            ) + body
        return body

    def say(self, rng: random.Random, lang: str, step: str) -> str:
        """What an agent writes at `step` (reply, note, action, ask, summary)."""
        own = self.agent.get(step, {}).get(lang)
        return rng.choice(own or GENERIC[step][lang])


GENERIC: dict[str, Lines] = {
    "reply": {
        "en": (
            "Hi, thanks for reaching out. I've looked into this and I'm on it; "
            "I'll update you by the end of today.",
            "Thank you for your patience. I checked your account and will follow up shortly.",
        ),
        "zh-TW": (
            "您好，感謝您的來信。我已經在處理這個問題，今天下班前會再回覆您。",
            "謝謝您的耐心等候，我已確認您的資料，會儘快回覆您處理結果。",
        ),
    },
    "note": {
        "en": (
            "Checked history: no earlier tickets on this.",
            "Customer polite; details verified.",
        ),
        "zh-TW": ("已查詢歷史紀錄，無相關案件。", "客戶語氣平和，資料已核對。"),
    },
    "action": {
        "en": ("I've checked the details with our team",),
        "zh-TW": ("我們已與相關團隊確認細節",),
    },
    "ask": {
        "en": ("Asked the customer for the order number and a photo.",),
        "zh-TW": ("請客戶提供訂單編號與照片。",),
    },
    "summary": {
        "en": ("Answered and confirmed with the customer.",),
        "zh-TW": ("已回覆並與客戶確認。",),
    },
}

CLOSING: dict[str, tuple[str, str]] = {  # (timeline, next steps) for template replies
    "en": ("You'll hear from us within one business day.", "Reply here if anything changes."),
    "zh-TW": ("我們會在一個工作天內回覆您。", "若有任何變化，請直接回覆此訊息。"),
}

FOLLOW_UPS: dict[str, tuple[str, ...]] = {  # the customer writes back; the last: not fixed
    "en": (
        "Here is the photo and my order number.",
        "Thanks, that's what you asked for.",
        "Sorry, it is still not working.",
    ),
    "zh-TW": ("附上照片和訂單編號。", "好的，資料如上。", "不好意思，問題還是沒有解決。"),
}

NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # (given names, family names)
    "en": (
        ("Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Chloe", "Ryan"),
        ("Chen", "Lin", "Smith", "Wang", "Brown", "Huang", "Lee", "Taylor", "Garcia", "Kuo"),
    ),
    "zh-TW": (
        ("怡君", "志明", "淑芬", "家豪", "雅婷", "俊傑", "美玲", "宗翰", "佳穎", "冠宇"),
        ("陳", "林", "黃", "張", "李", "王", "吳", "劉", "蔡", "楊"),
    ),
}

TOPICS: tuple[Topic, ...] = (
    Topic(
        "order",
        26,
        "plain",
        {
            "en": (
                "Where is my order #{n}? The tracking number hasn't updated for 4 days.",
                "My package for order #{n} has not arrived yet, it was supposed to come Monday.",
                "I received the wrong item in order #{n}, I ordered the blue one.",
            ),
            "zh-TW": (
                "我的訂單 #{n} 到哪裡了？已經一週還沒收到貨。",
                "訂單 #{n} 的包裹顯示已出貨，但物流一直沒有更新。",
                "訂單 #{n} 寄錯顏色了，我買的是藍色。",
            ),
        },
        {
            "action": {
                "en": ("I've asked the courier to trace your parcel",),
                "zh-TW": ("已請物流公司追蹤您的包裹",),
            },
            "summary": {
                "en": ("Parcel traced; delivered next day.",),
                "zh-TW": ("已追蹤包裹，隔日送達。",),
            },
        },
        zh_first=True,
    ),
    Topic(
        "refund_small",
        7,
        "refund",
        {
            "en": (
                "Please refund NT${amt} for the damaged mug in order #{n}.",
                "I returned the socks from order #{n}, please refund NT${amt}.",
            ),
            "zh-TW": (
                "訂單 #{n} 的杯子破了，請退款 NT${amt}。",
                "我想退貨，訂單 #{n}，請退款 NT${amt}。",
            ),
        },
        amounts=(180, 290, 350, 480),
    ),
    Topic(
        "refund_large",
        8,
        "refund",
        {
            "en": (
                "I'd like to return the jacket from order #{n} and get a refund of NT${amt}.",
                "I was charged twice for order #{n}; please refund NT${amt}.",
            ),
            "zh-TW": (
                "我想退貨，訂單 #{n}，請退款 NT${amt}。",
                "訂單 #{n} 被重複扣款，請退還 NT${amt}。",
            ),
        },
        amounts=(1200, 2400, 4500, 8800, 12000),
    ),
    Topic(
        "account",
        8,
        "account",
        {
            "en": (
                "I'm locked out of my account after too many password attempts.",
                "I can't log in, it says my account is locked.",
            ),
            "zh-TW": ("我的帳號被鎖住了，無法登入。", "密碼輸入錯誤太多次，帳號被鎖定了。"),
        },
    ),
    Topic(
        "payment",
        7,
        "plain",
        {
            "en": (
                "My credit card payment failed twice at checkout but I was charged.",
                "Payment failed for order #{n} and now the order is cancelled.",
            ),
            "zh-TW": ("付款失敗，但信用卡被扣款了。", "訂單 #{n} 付款失敗，訂單被取消了。"),
        },
    ),
    Topic(
        "defect",
        7,
        "defect",
        {
            "en": (
                "The blender I bought stopped working after two days, it is defective.",
                "The zipper on the backpack from order #{n} broke on first use.",
            ),
            "zh-TW": ("買的吹風機用兩天就壞了，是瑕疵品。", "訂單 #{n} 的背包拉鍊第一次用就壞了。"),
        },
        template="apology_reply",
    ),
    Topic(
        "complaint",
        6,
        "complaint",
        {
            "en": (
                "Your delivery driver was rude and threw the parcel. Very disappointed.",
                "I am unhappy with how long this took, the service was poor.",
            ),
            "zh-TW": ("客服態度很差，我非常不滿意。", "送貨員態度很差，把包裹用丟的。"),
        },
        template="apology_reply",
        zh_first=True,
    ),
    Topic(
        "supervisor",
        3,
        "supervisor",
        {
            "en": ("I want to speak to a supervisor right now about order #{n}.",),
            "zh-TW": ("我要找你們主管處理訂單 #{n} 的問題。",),
        },
        template="apology_reply",
    ),
    Topic(
        "legal",
        1,
        "sensitive",
        {
            "en": (
                "If order #{n} is not refunded I will contact my lawyer and take legal action.",
            ),
            "zh-TW": ("再不處理訂單 #{n} 我就要提告，找律師。",),
        },
        template="apology_reply",
    ),
    Topic(
        "media",
        1,
        "sensitive",
        {
            "en": ("I am a journalist at a newspaper and will write about this in the media.",),
            "zh-TW": ("我會把這件事告訴媒體和記者。",),
        },
        template="apology_reply",
    ),
    Topic(
        "question",
        9,
        "plain",
        {
            "en": (
                "Is the leather bag waterproof? Can I change the size before shipping?",
                "Does the rice cooker come with a warranty?",
            ),
            "zh-TW": ("請問這個包包是真皮的嗎？可以防水嗎？", "請問電鍋有保固嗎？"),
        },
    ),
    Topic(
        "technical",
        5,
        "technical",
        {
            "en": (
                "The app crashes every time I open the cart page.",
                "The website shows an error when I try to save my address.",
            ),
            "zh-TW": ("App 一打開購物車就閃退。", "網站儲存地址時一直出現錯誤。"),
        },
    ),
    Topic(
        "outage",
        1,
        "sensitive",
        {
            "en": ("Your website is down, outage since this morning, nobody can log in.",),
            "zh-TW": ("你們的網站整個掛掉了，從早上就無法使用。",),
        },
    ),
    Topic(
        "security",
        1,
        "sensitive",
        {
            "en": ("I think someone hacked my account, there are orders I didn't make.",),
            "zh-TW": ("我的帳號好像被盜用了，有不是我下的訂單。",),
        },
    ),
    Topic(
        "feedback",
        3,
        "plain",
        {
            "en": ("Just wanted to say thanks, great service last week!",),
            "zh-TW": ("謝謝你們上週的協助，服務很好！",),
        },
    ),
    Topic(
        "inquiry",
        6,
        "plain",
        {
            "en": (
                "What are your opening hours during the holidays?",
                "It would be great if the app had a dark mode.",
            ),
            "zh-TW": ("請問你們的營業時間？", "希望 App 可以增加深色模式。"),
        },
    ),
)
