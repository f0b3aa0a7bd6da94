import json
F = []
def fam(group, topic, channel, anchor, same, diff):
    F.append((group, topic, channel, anchor, same, diff))

# ---- points balance / expiry ----
fam("pts_balance","points_balance","app","how many points do I have right now?",
 ["what's my current points balance","check my Complete Rewards points","points balance pls","how many reward points are in my account"],
 ["when do my points expire?","how many points do I need for a $5 reward?","how many points did I earn on my last shop?","what's my gift card balance?","how many points does my wife have on her account?"])
fam("pts_expiry","points_expiry","app","when do my points expire?",
 ["what date will my rewards points expire","do my points have an expiry date and when is it","expiry date of my points?"],
 ["how many points are expiring this month?","can expired points be reinstated?","do points expire if I'm a Platinum member?","when does my Gold tier expire?","when does my $10 coupon expire?"])
fam("pts_expiring_month","points_expiry","app","how many of my points expire this month",
 ["points expiring this month - how many?","what amount of my points will expire by the end of this month"],
 ["how many of my points expire next month","how many points did I earn this month","how many points did I redeem this month"])
fam("assoc_pts","points_balance","associate","what's this member's points balance?",
 ["how many points does this customer have","show points balance for this member","this member's current points?"],
 ["when do this member's points expire?","what tier is this member in?","how many points did this member redeem today?","what's the balance on this member's gift card?"])
fam("kiosk_pts","points_balance","kiosk","scan my card and show my points",
 ["show my points balance after I scan my card","i scanned my card, how many points do I have"],
 ["scan my card and show my coupons","scan my card and print my receipt","scan my card and redeem my points"])

# ---- earning / redeeming ----
fam("earn_rate","earning_points","app","how many points do I earn per dollar spent?",
 ["what's the earn rate per $1","points per dollar?","how many points for every dollar I spend at Complete"],
 ["how many points do I need to redeem for $1 off?","how many points per dollar do Gold members earn?","how many points per dollar on fuel?","how many points per dollar do I earn on gift card purchases?"])
fam("earn_online","earning_points","app","do I earn points on online orders?",
 ["will I get points when I shop online","are points earned on orders placed through the website or app","online purchases - do they earn rewards points?"],
 ["can I redeem points on online orders?","do I earn points on in-store purchases?","do I earn points on the delivery fee?","do I earn points on pharmacy prescriptions?"])
fam("redeem_how","redeeming_points","app","how do I redeem my points at checkout?",
 ["how can I use my points when I pay","redeem points at the register - how?","what do I do to spend my points at the till"],
 ["how do I earn points at checkout?","how do I redeem my points for online orders?","can I redeem points at self-checkout?","how do I stop points being redeemed automatically at checkout?"])
fam("redeem_min","redeeming_points","app","what's the minimum number of points I can redeem?",
 ["min points needed to redeem","smallest points redemption allowed?","how few points can I cash in at once"],
 ["what's the maximum number of points I can redeem in one transaction?","what's the minimum spend to earn points?","what's the minimum points to reach Silver?"])
fam("redeem_giftcard","redeeming_points","app","can I use my points to buy a gift card?",
 ["is it possible to redeem points for a gift card","redeem rewards points for gift cards?"],
 ["do I earn points when I buy a gift card?","can I use a gift card to pay and still earn points?","can I convert my gift card balance into points?"])
fam("missing_pts","earning_points","app","I didn't get points for my purchase yesterday",
 ["my points from yesterday's shop are missing","points not credited for yesterday's purchase","yesterday's purchase didn't give me any points"],
 ["I got points for a purchase I didn't make yesterday","I didn't get my coupon discount yesterday","my points from last month's shop are missing"])
fam("assoc_addpts","earning_points","associate","can I add missing points to this member's account for a receipt from today?",
 ["how do I credit points to this member for today's receipt they forgot to scan","add points for today's receipt to this customer's account"],
 ["can I remove points from this member's account for a returned item?","can I add points for a receipt from 60 days ago to this member's account?","can I transfer points from this member to their spouse?"])
fam("pts_transfer","redeeming_points","app","can I transfer my points to another member?",
 ["is it possible to give my points to my friend's account","move points to someone else's rewards account?","can I share my points with my partner"],
 ["can I merge two of my own accounts?","can another member transfer points to me?","can I transfer my points to an airline program?"])

# ---- tiers ----
fam("tier_gold_req","tiers","app","how do I reach Gold tier?",
 ["what do I need to do to become Gold","requirements for Gold status","how to get gold level in complete rewards"],
 ["how do I reach Platinum tier?","how do I keep Gold tier?","what happens if I drop from Gold to Silver?","how do I reach Silver tier?"])
fam("tier_benefits_plat","tiers","app","what are the benefits of Platinum?",
 ["platinum perks?","what do Platinum members get","list Platinum tier benefits"],
 ["what are the benefits of Gold?","what are the requirements for Platinum?","do Platinum benefits apply online?","what Platinum benefits am I losing if I downgrade?"])
fam("tier_current","tiers","app","what tier am I in?",
 ["what's my membership level","am I bronze silver gold or platinum?","which tier is my account"],
 ["what tier will I be in next year?","how far am I from the next tier?","when did I reach my tier?"])
fam("tier_progress","tiers","app","how much more do I need to spend to reach the next tier?",
 ["how far am I from moving up a tier","spend remaining until next tier level","how close am I to my next tier"],
 ["how much do I need to spend to keep my current tier?","how much did I spend last year?","how much more do I need to spend to unlock my next coupon?"])
fam("tier_reset","tiers","app","when does my tier get reviewed each year?",
 ["what date is the annual tier reset","when are tiers recalculated"],
 ["when do my points reset each year?","when was my tier last upgraded?","can I ask for my tier to be reviewed early?"])
fam("assoc_tier","tiers","associate","is this member Gold or Platinum?",
 ["what tier is this customer","check this member's tier level"],
 ["is this member eligible for Platinum?","when does this member's Gold status expire?","what discount does this member get at Gold?"])

# ---- offers / coupons ----
fam("coupons_week","offers_coupons","app","what coupons do I have this week?",
 ["show my coupons for this week","my offers this week?","this week's personal deals for me"],
 ["what coupons will I get next week?","what coupons did I have last week?","what are this week's store-wide specials?","what coupons have I already used this week?"])
fam("coupon_load","offers_coupons","app","how do I load a coupon to my card?",
 ["how to clip a digital coupon","add an offer to my rewards card","how do i activate a coupon in the app"],
 ["how do I remove a coupon from my card?","how do I use a paper coupon?","do I need to load a coupon for online orders?"])
fam("coupon_not_applied","offers_coupons","app","my coupon didn't apply at checkout",
 ["the coupon wasn't taken off my receipt","digital coupon not applied when I paid","coupon didnt work at the register"],
 ["my coupon applied twice at checkout","my coupon didn't apply to my online order","my points didn't apply at checkout"])
fam("coupon_stack","offers_coupons","app","can I use two coupons on the same item?",
 ["can coupons be stacked on one product","use more than one coupon on a single item?"],
 ["can I use one coupon on two items?","can I use a coupon and points on the same item?","can I use two coupons in the same transaction on different items?"])
fam("kiosk_print_coupons","offers_coupons","kiosk","print my coupons",
 ["can I print my offers here","print out my coupons please"],
 ["email my coupons","print my receipt","print my points statement"])
fam("assoc_coupon","offers_coupons","associate","can I apply an expired coupon for this member?",
 ["is it ok to honor this member's expired coupon","this customer's coupon expired yesterday, can I still apply it"],
 ["can I reissue an expired coupon to this member?","can I apply a coupon this member hasn't loaded yet?","can I apply an expired gift card for this member?"])
fam("birthday_offer","offers_coupons","app","when do I get my birthday reward?",
 ["when does the birthday offer arrive","birthday coupon - when will I receive it?"],
 ["how do I change my birthday on my account?","does my birthday reward expire?","do I get a reward on my membership anniversary?"])

# ---- recent purchases ----
fam("last_purchase","recent_purchases","app","what did I buy on my last shop?",
 ["show my most recent purchase","items from my last transaction","what was in my last order at the store"],
 ["what did I buy on my second-last shop?","how much did I spend on my last shop?","how many points did I earn on my last shop?"])
fam("receipt_copy","recent_purchases","app","can I get a copy of my receipt from last Tuesday?",
 ["I need last Tuesday's receipt","show receipt from my shop on Tuesday last week","reprint my receipt from last tuesday"],
 ["can I get a copy of my receipt from this Tuesday?","can I get a copy of my receipt from last Thursday?","can I get a copy of last Tuesday's pharmacy receipt?"])
fam("spend_month","recent_purchases","app","how much have I spent this month?",
 ["total spending this month","what's my spend so far this month"],
 ["how much did I spend last month?","how much have I saved this month?","how many points have I earned this month?"])
fam("assoc_purchases","recent_purchases","associate","show this member's purchases from the last 30 days",
 ["what has this customer bought in the past month","this member's transactions for the last 30 days"],
 ["show this member's purchases from the last 90 days","show this member's returns from the last 30 days","show my purchases from the last 30 days"])

# ---- store hours ----
fam("hours_sat","store_hours","app","what time does the store open on Saturday?",
 ["saturday opening time?","when do you open on Saturdays","what time do you open saturday morning"],
 ["what time does the store open on Sunday?","what time does the store close on Saturday?","what time does the pharmacy open on Saturday?","what time does the store open on Saturday for seniors' hour?"])
fam("hours_sun_close","store_hours","app","what time do you close on Sunday?",
 ["sunday closing time","when does the store shut on sundays","how late are you open sunday"],
 ["what time do you open on Sunday?","what time do you close on Saturday?","what time does the bakery close on Sunday?"])
fam("hours_xmas","store_hours","app","are you open on Christmas Day?",
 ["is the store open Dec 25","open on christmas?","can I shop at Complete on Christmas day"],
 ["are you open on Christmas Eve?","are you open on Boxing Day?","what time do you close on Christmas Eve?","is the pharmacy open on Christmas Day?"])
fam("hours_today","store_hours","kiosk","what time does this store close tonight?",
 ["when do you close today","closing time today?","how late is this store open tonight"],
 ["what time does this store open tomorrow?","what time does this store close tomorrow night?","what time does the pharmacy here close tonight?","what time does the deli close tonight?"])
fam("hours_thanksgiving","store_hours","app","what are your hours on Thanksgiving?",
 ["thanksgiving store hours","are you open thanksgiving and until when"],
 ["what are your hours the day after Thanksgiving?","what are your hours on New Year's Day?","what are pharmacy hours on Thanksgiving?"])
fam("hours_24h","store_hours","app","is the store open 24 hours?",
 ["are you open around the clock","24/7 store?"],
 ["is the pharmacy open 24 hours?","is the self-checkout open 24 hours?","is the gas station open 24 hours?"])

# ---- pharmacy ----
fam("pharm_hours_wkday","pharmacy","app","what are the pharmacy hours on weekdays?",
 ["pharmacy opening hours monday to friday","when is the pharmacy open during the week","weekday pharmacy hrs"],
 ["what are the pharmacy hours on weekends?","what are the store hours on weekdays?","when is the pharmacist available for vaccinations on weekdays?"])
fam("pharm_sun","pharmacy","kiosk","is the pharmacy open on Sunday?",
 ["can I pick up a prescription here on sunday","pharmacy sunday open?"],
 ["is the pharmacy open on Saturday?","is the store open on Sunday?","is the pharmacy drive-thru open on Sunday?"])
fam("pharm_lunch","pharmacy","kiosk","does the pharmacy close for lunch?",
 ["is the pharmacy closed at lunchtime","pharmacy lunch break?"],
 ["does the pharmacy close early on Fridays?","does the store close for lunch?","what time does the pharmacy reopen after lunch?"])
fam("pharm_points","pharmacy","app","do I earn points on prescriptions?",
 ["are prescriptions eligible for rewards points","points on my rx?"],
 ["do I earn points on over-the-counter medicine?","can I use points to pay for prescriptions?","do I earn points on flu shots?"])

# ---- returns & refunds ----
fam("return_no_receipt","returns_refunds","app","can I return something without a receipt?",
 ["return an item with no receipt?","i lost my receipt, can i still return it","is a receipt required for returns? I don't have mine"],
 ["can I return something with a receipt?","can I exchange something without a receipt?","can I return something without the original packaging?","can I return an online order without a receipt?"])
fam("return_window","returns_refunds","app","how many days do I have to return an item?",
 ["what's the return period","return deadline in days?","how long can I wait before returning something"],
 ["how many days does a refund take to show up?","how many days do I have to exchange an item?","how many days do I have to return a prescription?","how many days do I have to return an opened item?"])
fam("refund_method","returns_refunds","app","will I get my money back or store credit if I return without a receipt?",
 ["no receipt return - cash refund or store credit?","returning without receipt, do I get a refund or just credit"],
 ["will I get my money back or store credit if I return with a receipt?","will I get store credit if I exchange without a receipt?","will I get my points back if I return without a receipt?"])
fam("refund_card","returns_refunds","app","how long does a refund take to reach my credit card?",
 ["refund to credit card timing","when will my refund appear on my card","how many days until the refund hits my card"],
 ["how long does a refund take to reach my gift card?","how long does a return take to process online?","how long does a cash refund take?"])
fam("return_points","returns_refunds","app","what happens to my points if I return an item?",
 ["do I lose points when I return something","are points deducted after a return"],
 ["what happens to my points if I exchange an item?","what happens to my coupon if I return the item?","do I get points back if I return something I bought with points?"])
fam("return_perishable","returns_refunds","kiosk","can I return spoiled produce?",
 ["the fruit I bought went bad, can I return it","refund for rotten vegetables?"],
 ["can I exchange spoiled produce?","can I return unopened produce I don't want?","can I return spoiled meat?"])
fam("assoc_return","returns_refunds","associate","can this member return an item bought at another Complete store?",
 ["is it ok to accept a return from a different store location for this customer","this member bought it at another branch, can we take the return"],
 ["can this member return an item bought online at this store?","can this member exchange an item bought at another Complete store?","can this member return an item bought at another retailer?"])

# ---- online orders / delivery / curbside ----
fam("delivery_fee","online_orders","app","how much is delivery?",
 ["what's the delivery fee","delivery cost?","how much do you charge to deliver groceries"],
 ["how much is curbside pickup?","is delivery free for Gold members?","what's the minimum order for delivery?","how much is express delivery?"])
fam("curbside_how","online_orders","app","how does curbside pickup work?",
 ["how do I do curbside pickup","explain curbside collection","how to pick up my order at the curb"],
 ["how does home delivery work?","how does in-store pickup work?","how do I cancel curbside pickup?"])
fam("order_status","online_orders","app","where is my online order?",
 ["track my delivery","status of my online order","has my grocery order shipped yet"],
 ["where is my curbside pickup spot?","where do I enter a promo code for my online order?","where is my refund for my online order?"])
fam("order_cancel","online_orders","app","can I cancel my online order?",
 ["how do I cancel an order I placed online","cancel my grocery delivery order"],
 ["can I change my online order?","can I cancel my pharmacy refill?","can I reschedule my online order?"])
fam("order_edit_cutoff","online_orders","app","how late can I add items to my delivery order?",
 ["what's the cutoff to edit my delivery order","last time to add things to my delivery"],
 ["how early can I schedule my delivery?","how late can I add items to my curbside order?","how late can I cancel my delivery order?"])
fam("missing_item_delivery","online_orders","app","an item was missing from my delivery",
 ["my delivery didn't include everything I ordered","missing item in my grocery delivery","one product wasn't in my delivered bags"],
 ["I got an extra item in my delivery","an item was substituted in my delivery","an item was missing from my in-store purchase"])
fam("substitutions","online_orders","app","how do I turn off substitutions for my order?",
 ["stop substitutions on my online order","disable item substitutions","i don't want substitutes in my order"],
 ["how do I turn on substitutions for my order?","how do I reject a substitution after delivery?","how do I choose a specific substitute?"])
fam("delivery_slot","online_orders","app","are there delivery slots available tomorrow morning?",
 ["can I get delivery tomorrow AM","any morning delivery times tomorrow?"],
 ["are there delivery slots available tomorrow evening?","are there pickup slots available tomorrow morning?","are there delivery slots available this morning?"])

# ---- app help / account ----
fam("reset_pw","app_help","app","how do I reset my password?",
 ["forgot my password","password reset please","i can't remember my password, how do I reset it"],
 ["how do I change my email address?","how do I reset my PIN at the kiosk?","how do I change my username?","how do I turn on two-factor login?"])
fam("add_card_app","app_help","app","how do I add my physical card to the app?",
 ["link my plastic rewards card to the app","connect my card number to my app account"],
 ["how do I remove my physical card from the app?","how do I get a replacement physical card?","how do I add my gift card to the app?"])
fam("app_login_fail","app_help","app","the app won't let me log in",
 ["i can't sign in to the app","login not working in the app","app keeps rejecting my login"],
 ["the app won't let me log out","the website won't let me log in","the app keeps crashing after I log in"])
fam("update_phone","app_help","app","how do I update my phone number?",
 ["change the phone number on my account","update my mobile number"],
 ["how do I update my address?","how do I add a second phone number?","how do I look up my account with my phone number?"])
fam("kiosk_lookup","app_help","kiosk","I forgot my card, can I use my phone number?",
 ["no card with me, can I enter my phone number instead","look up my account by phone number"],
 ["I forgot my card, can I use my email?","I lost my card, can I get a new one here?","I forgot my phone, can I use my card?"])
fam("assoc_merge","app_help","associate","how do I merge this member's two accounts?",
 ["this customer has duplicate accounts, how do I combine them","combine two rewards accounts for this member"],
 ["how do I split this member's household account?","how do I close one of this member's accounts?","how do I merge this member's account with their spouse's?"])
fam("notifications","app_help","app","how do I turn off push notifications?",
 ["stop app notifications","disable notifications from the app"],
 ["how do I turn on push notifications?","how do I turn off marketing emails?","how do I turn off notifications for order updates only?"])

# ---- products ----
fam("find_item","product_location","kiosk","where is the peanut butter?",
 ["which aisle has peanut butter","where can I find peanut butter in this store","peanut butter aisle?"],
 ["where is the almond butter?","is peanut butter in stock?","where is the peanut butter at the Main St store?"])
fam("in_stock","product_availability","app","is oat milk in stock at my store?",
 ["does my local store have oat milk","oat milk availability at my store"],
 ["is oat milk on sale at my store?","is oat milk in stock online?","is almond milk in stock at my store?","when will oat milk be back in stock?"])
fam("assoc_stock","product_availability","associate","is there more of this item in the back?",
 ["do we have any of this in the stockroom","check back stock for this product"],
 ["is this item available at another store?","when is the next delivery of this item?","is there more of this item on the shelf?"])
fam("gf_bread","product_location","kiosk","where do you keep gluten-free bread?",
 ["gluten free bread location","which aisle is the gluten-free bread"],
 ["where do you keep gluten-free pasta?","do you have gluten-free bread in the bakery?","where do you keep regular bread?"])

# ---- gift cards ----
fam("gc_balance","gift_cards","app","how do I check my gift card balance?",
 ["gift card balance check","what's left on my gift card","how much money is on my gift card"],
 ["how do I check my points balance?","how do I reload my gift card?","how do I check my e-gift card balance?","how do I check when my gift card expires?"])
fam("gc_expire","gift_cards","app","do gift cards expire?",
 ["is there an expiration date on gift cards","can a gift card expire"],
 ["do points expire?","do coupons expire?","do gift card refunds expire?"])
fam("gc_lost","gift_cards","app","I lost my gift card, can it be replaced?",
 ["lost gift card replacement","can you replace a gift card that I lost"],
 ["I lost my rewards card, can it be replaced?","I found a gift card, what do I do?","my gift card was stolen and used, can I get the money back?"])
fam("gc_online","gift_cards","app","can I use a gift card for online orders?",
 ["pay for my online order with a gift card","are gift cards accepted online"],
 ["can I buy a gift card online?","can I use a gift card in store?","can I use two gift cards on one online order?"])
fam("kiosk_gc","gift_cards","kiosk","check the balance on this gift card",
 ["how much is on this gift card","gift card balance here?"],
 ["check the balance on my rewards card","activate this gift card","add money to this gift card"])

# ---- privacy / consent ----
fam("optout_marketing","privacy_consent","app","how do I opt out of marketing emails?",
 ["unsubscribe from promotional emails","stop sending me marketing emails","i don't want promo emails anymore"],
 ["how do I opt in to marketing emails?","how do I opt out of marketing texts?","how do I opt out of data sharing with partners?"])
fam("data_download","privacy_consent","app","how can I get a copy of my personal data?",
 ["request my data","download all the information you hold about me","I want a copy of my personal info"],
 ["how can I delete my personal data?","how can I correct my personal data?","who do you share my personal data with?"])
fam("delete_acct","privacy_consent","app","how do I delete my Complete Rewards account?",
 ["remove my loyalty account permanently","delete my rewards account"],
 ["how do I pause my Complete Rewards account?","how do I delete my online shopping account but keep my rewards?","what happens to my points if I delete my account?"])
fam("purchase_tracking","privacy_consent","app","do you use my purchase history for personalized offers?",
 ["is my shopping history used to tailor my coupons","are my offers based on what I buy"],
 ["do you sell my purchase history?","can I stop you using my purchase history for offers?","do you use my location for personalized offers?"])
fam("assoc_privacy","privacy_consent","associate","can I tell this member's spouse their points balance?",
 ["is it allowed to share this member's points with their partner","can I give this customer's husband her points balance"],
 ["can I tell this member their own points balance?","can I tell this member's spouse the store hours?","can I add this member's spouse to their account?"])

out=[]
for group, topic, channel, anchor, same, diff in F:
    for s in same:
        out.append(dict(a=anchor,b=s,same=True,topic=topic,channel=channel,group=group,split="blind"))
    # one paraphrase-vs-paraphrase pair
    if len(same)>=3:
        out.append(dict(a=same[0],b=same[-1],same=True,topic=topic,channel=channel,group=group,split="blind"))
    for d in diff:
        out.append(dict(a=anchor,b=d,same=False,topic=topic,channel=channel,group=group,split="blind"))
    # near-miss against a paraphrase too
    if same and diff:
        out.append(dict(a=same[0],b=diff[0],same=False,topic=topic,channel=channel,group=group,split="blind"))
with open("/work/main/evals/cache/blind_pairs.jsonl","w") as f:
    for o in out: f.write(json.dumps(o)+"\n")
print(len(out))
