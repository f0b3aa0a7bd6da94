"""The layout of the member database: written by `gateway.seed`, read by `SqliteMemberStore`.

The store owns the layout (the serving path must not depend on the seeding code or on
pandas); seeding writes into it. `SCHEMA_VERSION` is stored in the `meta` table, and the
store refuses a file written with another version instead of failing on a missing column.

Purchases are stored once per line with a product id and clustered on
(member, time), so "recent purchases of a member" is one short range scan; the
`purchase_lines` view joins in the product's description, department and category.

The offer decisioning reads the rest: `offer_products` (which products an offer's
coupon covers), `promotions` (this week's and next week's in-store promotions per
store and product, keyed by store first) and `stock` (units per store and category).
How each is derived is in `gateway/seed/README.md`.
"""

from __future__ import annotations

SCHEMA_VERSION = "2"

DDL = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE members (
    member_id          TEXT PRIMARY KEY,
    tier               TEXT NOT NULL,
    points             INTEGER NOT NULL,
    points_expiring    INTEGER NOT NULL,
    points_expire_on   TEXT NOT NULL,
    annual_spend       REAL NOT NULL,
    next_tier          TEXT,
    spend_to_next_tier REAL NOT NULL,
    home_store_id      TEXT,
    age_band           TEXT,
    income_band        TEXT,
    member_since       TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE products (
    product_id   INTEGER PRIMARY KEY,
    department   TEXT NOT NULL,
    category     TEXT,
    product_type TEXT,
    brand        TEXT NOT NULL,
    package_size TEXT,
    description  TEXT NOT NULL
);

CREATE TABLE stores (
    store_id TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    opens    TEXT NOT NULL,
    closes   TEXT NOT NULL,
    hours    TEXT NOT NULL
) WITHOUT ROWID;

-- `line` is the row's position in the source data: it orders lines of the same
-- instant and keeps the key unique.
CREATE TABLE purchases (
    member_id  TEXT NOT NULL,
    ts         TEXT NOT NULL,
    line       INTEGER NOT NULL,
    day        TEXT NOT NULL,
    basket_id  INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    quantity   INTEGER NOT NULL,
    amount     REAL NOT NULL,
    store_id   TEXT NOT NULL,
    PRIMARY KEY (member_id, ts, line)
) WITHOUT ROWID;

CREATE TABLE offers (
    offer_id      TEXT PRIMARY KEY,
    coupon_upc    TEXT NOT NULL,
    campaign_id   INTEGER NOT NULL,
    campaign_type TEXT NOT NULL,
    title         TEXT NOT NULL,
    department    TEXT NOT NULL,
    category      TEXT NOT NULL,
    discount_pct  INTEGER NOT NULL,
    min_tier      TEXT NOT NULL,
    valid_from    TEXT NOT NULL,
    valid_until   TEXT NOT NULL,
    product_count INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE offer_products (
    offer_id   TEXT NOT NULL REFERENCES offers (offer_id),
    product_id INTEGER NOT NULL,
    PRIMARY KEY (offer_id, product_id)
) WITHOUT ROWID;

-- One row per store, product, week and placement. The key starts with the store: the
-- promotions of one store are one range, and (store, product) is a direct lookup.
CREATE TABLE promotions (
    store_id   TEXT NOT NULL,
    product_id INTEGER NOT NULL,
    starts     TEXT NOT NULL,
    ends       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('display', 'mailer')),
    PRIMARY KEY (store_id, product_id, starts, kind)
) WITHOUT ROWID;

CREATE TABLE stock (
    store_id TEXT NOT NULL,
    category TEXT NOT NULL,
    units    INTEGER NOT NULL CHECK (units >= 0),
    PRIMARY KEY (store_id, category)
) WITHOUT ROWID;

-- Which member received which offer; `rank` 1 is the best fit for the member.
CREATE TABLE offer_targets (
    member_id TEXT NOT NULL,
    offer_id  TEXT NOT NULL REFERENCES offers (offer_id),
    rank      INTEGER NOT NULL,
    PRIMARY KEY (member_id, offer_id)
) WITHOUT ROWID;

-- Lines whose product is missing from the catalog (0.3% of the data) still show up.
CREATE VIEW purchase_lines AS
SELECT p.member_id, p.ts, p.line, p.day,
       COALESCE(pr.description, 'Unlisted item') AS product,
       COALESCE(pr.department, 'UNKNOWN') AS department,
       COALESCE(pr.category, pr.department, 'UNKNOWN') AS category,
       p.quantity, p.amount, p.store_id, p.basket_id
FROM purchases AS p LEFT JOIN products AS pr ON pr.product_id = p.product_id;

-- Categories as offers use them: the product's category, else its department.
CREATE VIEW promotion_lines AS
SELECT p.store_id, p.product_id, p.starts, p.ends, p.kind,
       COALESCE(pr.department, 'UNKNOWN') AS department,
       COALESCE(pr.category, pr.department, 'UNKNOWN') AS category
FROM promotions AS p LEFT JOIN products AS pr ON pr.product_id = p.product_id;
"""
