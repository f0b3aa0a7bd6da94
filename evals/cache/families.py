"""Paraphrase families for the semantic-cache pairs (evals/cache/pairs.jsonl), written by hand.

Each family is one meaning, said several ways (short and long forms, typos, the
associate's third person). Families in the same topic are near-misses of each
other: close in words, different in meaning ("open Sunday" / "open Saturday").
`python -m evals.cache.make_pairs` turns them into labelled pairs.
"""

from __future__ import annotations

# topic -> family id -> (channel, phrasings)
FAMILIES: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "points": {
        "points_balance": ("app", (
            "how many points do I have?", "what's my points balance", "points balance",
            "how many points have I got", "check my point balance pls", "how many pionts do i have",
            "can you tell me my current points total?")),
        "points_expiry": ("app", (
            "when do my points expire?", "points expiry", "when will my points run out",
            "do any of my points expire soon?", "expiry date of my points", "when do my pts expire")),
        "points_earn": ("app", (
            "how do I earn points?", "how can I get more points", "ways to earn points",
            "how do points get earned when I shop?", "how to collect points")),
        "points_missing": ("app", (
            "my points from yesterday's shop are missing", "I didn't get points for my last purchase",
            "points not added for my receipt", "why weren't my points credited for my shopping trip")),
        "points_redeem": ("app", (
            "how do I use my points?", "how can I redeem points", "spend my points",
            "can I pay with my points at checkout?", "redeem pts")),
        "points_transfer": ("app", (
            "can I transfer points to my wife?", "how do I give my points to someone else",
            "share points with a family member", "move my points to another account")),
    },
    "points_associate": {
        "assoc_points_balance": ("associate", (
            "how many points does this customer have?", "customer's points balance",
            "what's her point total", "check this member's points")),
        "assoc_points_expiry": ("associate", (
            "when do this customer's points expire?", "customer's points expiry",
            "are any of her points about to expire", "check this member's expiring points")),
    },
    "tier": {
        "tier_status": ("app", (
            "what tier am I?", "my tier", "which membership level am I on",
            "what's my current status level", "am I gold or silver?", "wat tier am i")),
        "tier_next": ("app", (
            "how do I reach the next tier?", "how much more do I need to spend to level up",
            "what do I need for the next tier", "how far am I from the next level")),
        "tier_benefits": ("app", (
            "what are the benefits of gold tier?", "what do gold members get",
            "gold tier perks", "what perks come with gold status")),
        "tier_reset": ("app", (
            "when does my tier reset?", "does my status expire at the end of the year",
            "when is my tier reviewed", "will I lose my tier next year")),
    },
    "offers": {
        "my_offers": ("app", (
            "what offers do I have?", "my offers", "any deals for me?", "show me my coupons",
            "what discounts can I get right now", "do I have any ofers")),
        "offer_use": ("app", (
            "how do I use a coupon?", "how do I redeem an offer at the till",
            "how to apply a digital coupon", "how do I use my offers in store")),
        "offer_expired": ("app", (
            "my coupon says expired", "why did my offer expire?", "the discount I had is gone",
            "coupon no longer valid")),
        "offer_stack": ("app", (
            "can I use two coupons at once?", "can offers be combined", "stack two discounts",
            "use more than one coupon per item")),
    },
    "purchases": {
        "last_purchases": ("app", (
            "what did I buy last time?", "my recent purchases", "show my last shopping trip",
            "what were my last few purchases", "list what i bought recently")),
        "receipt_copy": ("app", (
            "can I get a copy of my receipt?", "send me my receipt again", "where is my digital receipt",
            "I lost my receipt, can you resend it")),
        "purchase_price": ("app", (
            "how much did I spend last month?", "my total spend last month",
            "what did I spend in October", "how much have I spent recently")),
    },
    "store_days": {
        "open_sunday": ("kiosk", (
            "are you open on Sunday?", "sunday opening hours", "is the store open sundays",
            "what time do you open on Sunday", "open sunday?")),
        "open_saturday": ("kiosk", (
            "are you open on Saturday?", "saturday opening hours", "is the store open saturdays",
            "what time do you open on Saturday", "open saturday?")),
        "open_christmas": ("kiosk", (
            "are you open on Christmas Day?", "christmas opening hours", "is the store open on christmas",
            "holiday hours for christmas")),
        "close_today": ("kiosk", (
            "what time do you close today?", "closing time today", "when does the store shut tonight",
            "how late are you open today")),
        "open_today": ("kiosk", (
            "what time do you open today?", "opening time today", "when does the store open this morning",
            "how early are you open today")),
    },
    "store_services": {
        "pharmacy_hours": ("kiosk", (
            "what are the pharmacy hours?", "when is the pharmacy open", "pharmacy opening times",
            "is the pharmacy open now")),
        "bakery_fresh": ("kiosk", (
            "do you bake fresh bread every morning?", "is the bread baked fresh daily",
            "do you sell fresh bread in the mornings?", "fresh bread each morning?")),
        "deli_hours": ("kiosk", (
            "when does the deli counter close?", "deli hours", "what time does the deli shut",
            "is the deli open late")),
        "parking": ("kiosk", (
            "is there parking at the store?", "where can I park", "do you have a car park",
            "free parking?")),
    },
    "returns": {
        "return_policy": ("app", (
            "what is your return policy?", "how do returns work", "can I return something I bought",
            "returns policy", "how do I return an item")),
        "return_no_receipt": ("app", (
            "can I return without a receipt?", "return an item with no receipt",
            "I lost the receipt, can I still return it", "returns without proof of purchase")),
        "refund_time": ("app", (
            "how long does a refund take?", "when will I get my refund", "refund processing time",
            "how many days until my money comes back")),
        "exchange": ("app", (
            "can I exchange an item for a different size?", "swap a product for another one",
            "exchange instead of refund", "how do exchanges work")),
    },
    "app_help": {
        "reset_password": ("app", (
            "how do I reset my password?", "forgot my password", "can't log in, need a new password",
            "reset pasword", "change my login password")),
        "update_email": ("app", (
            "how do I change my email address?", "update my email", "new email for my account",
            "edit the email on my profile")),
        "scan_card": ("app", (
            "how do I scan my card in the app?", "where is my digital loyalty card",
            "show my member card at checkout", "scan my membership card from my phone")),
        "delete_account": ("app", (
            "how do I delete my account?", "close my loyalty account", "remove my account and data",
            "cancel my membership")),
        "notifications_off": ("app", (
            "how do I turn off notifications?", "stop the app sending me alerts",
            "disable push notifications", "too many notifications, how to mute")),
    },
    "products": {
        "gluten_free_bread": ("app", (
            "do you sell gluten-free bread?", "gluten free bread available?", "any gluten-free loaves",
            "where's the gluten free bread")),
        "gluten_free_pasta": ("app", (
            "do you sell gluten-free pasta?", "gluten free pasta available?", "any gluten-free spaghetti",
            "where's the gluten free pasta")),
        "organic_milk": ("app", (
            "do you have organic milk?", "is organic milk in stock", "organic milk available",
            "where can I find organic milk")),
        "oat_milk": ("app", (
            "do you have oat milk?", "is oat milk in stock", "oat milk available",
            "where can I find oat milk")),
        "vegan_cheese": ("app", (
            "do you carry vegan cheese?", "dairy-free cheese options", "any plant-based cheese",
            "vegan cheese available?")),
        "dinner_ideas": ("app", (
            "what should I cook for dinner tonight?", "dinner ideas", "quick meal ideas for tonight",
            "suggest something for supper")),
        "lasagna_tips": ("app", (
            "any tips for a vegetarian lasagna?", "how do I make veggie lasagna",
            "vegetarian lasagne recipe tips", "best way to make a meat-free lasagna")),
    },
    "delivery": {
        "home_delivery": ("app", (
            "do you deliver to my home?", "is home delivery available", "can I get groceries delivered",
            "delivery service?")),
        "click_collect": ("app", (
            "can I order online and pick up in store?", "click and collect", "curbside pickup available?",
            "order ahead for collection")),
        "delivery_fee": ("app", (
            "how much is delivery?", "delivery charge", "what does delivery cost",
            "is delivery free")),
    },
}
