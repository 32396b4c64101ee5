from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL


class CrmProductAffinity(models.Model):
    """Products bought together: pairs on the same confirmed sale order.

    Over the confirmed orders of a company within its insight look-back, for an
    ordered pair (A, B) of distinct products:

    * support = orders with A and B / all orders,
    * confidence = orders with A and B / orders with A,
    * lift = confidence / (orders with B / all orders).

    Only pairs seen on at least ``_affinity_min_pair_count`` orders are kept, and
    for each product its ``_affinity_top`` best pairs (highest lift, then count).
    Orders with more than ``_affinity_max_order_products`` distinct products
    (bulk or catalogue orders) say little about what goes together and are left
    out. Refreshed by ``crm.customer.insight._cron_compute_insights``.
    """

    _name = "crm.product.affinity"
    _description = "Product Affinity"
    _order = "company_id, product_id, lift desc, pair_count desc, id"
    _check_company_auto = True

    _affinity_top = 10
    _affinity_min_pair_count = 2
    _affinity_max_order_products = 50

    # indexed by the (company_id, product_id, related_product_id) unique constraint
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    product_id = fields.Many2one(
        "product.product", required=True, readonly=True, index=True, ondelete="cascade"
    )
    related_product_id = fields.Many2one(
        "product.product", "Bought With", required=True, readonly=True, ondelete="cascade"
    )
    pair_count = fields.Integer("Orders Together", readonly=True)
    support = fields.Float(
        readonly=True, digits=(12, 6), help="Share of all orders that hold both products."
    )
    confidence = fields.Float(
        readonly=True,
        digits=(12, 6),
        help="Share of the orders holding the product that also hold the other one.",
    )
    lift = fields.Float(
        readonly=True,
        digits=(12, 4),
        help="Confidence divided by the share of orders holding the other product: "
        "above 1, the two sell together more often than by chance.",
    )

    _company_pair_uniq = models.Constraint(
        "UNIQUE(company_id, product_id, related_product_id)",
        "A product pair appears once per company.",
    )

    @api.model
    def _compute_company_affinities(self, company, today):
        """Recompute the pairs of one company with one query set; return the pair count."""
        self.env["sale.order"].flush_model(["company_id", "state", "date_order"])
        self.env["sale.order.line"].flush_model(["order_id", "product_id", "display_type"])
        date_from = today - relativedelta(months=company.insight_lookback_months)
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                CREATE TEMPORARY TABLE IF NOT EXISTS crm_product_affinity_new (
                    product_id int, related_product_id int, pair_count int,
                    support float8, confidence float8, lift float8
                ) ON COMMIT DROP;
                TRUNCATE crm_product_affinity_new;
                WITH items AS (
                    SELECT DISTINCT line.order_id, line.product_id
                      FROM sale_order_line line
                      JOIN sale_order so ON so.id = line.order_id
                     WHERE so.company_id = %(company)s
                       AND so.state = 'sale'
                       AND so.date_order >= %(date_from)s
                       AND so.date_order < %(today)s::date + 1
                       AND line.product_id IS NOT NULL
                       AND line.display_type IS NULL
                ),
                sized AS (
                    SELECT order_id, product_id, COUNT(*) OVER (PARTITION BY order_id) AS size
                      FROM items
                ),
                kept AS (
                    SELECT order_id, product_id FROM sized WHERE size <= %(max_products)s
                ),
                total AS (SELECT COUNT(DISTINCT order_id)::float8 AS orders FROM kept),
                per_product AS (
                    SELECT product_id, COUNT(*)::float8 AS orders FROM kept GROUP BY product_id
                ),
                pairs AS (
                    SELECT a.product_id, b.product_id AS related_product_id, COUNT(*) AS pair_count
                      FROM kept a
                      JOIN kept b ON b.order_id = a.order_id AND b.product_id != a.product_id
                  GROUP BY a.product_id, b.product_id
                    HAVING COUNT(*) >= %(min_count)s
                ),
                scored AS (
                    SELECT pairs.product_id, pairs.related_product_id, pairs.pair_count,
                           pairs.pair_count / total.orders AS support,
                           pairs.pair_count / pa.orders AS confidence,
                           pairs.pair_count * total.orders / (pa.orders * pb.orders) AS lift
                      FROM pairs
                      JOIN per_product pa ON pa.product_id = pairs.product_id
                      JOIN per_product pb ON pb.product_id = pairs.related_product_id
                     CROSS JOIN total
                ),
                ranked AS (
                    SELECT scored.*,
                           row_number() OVER (
                               PARTITION BY product_id
                               ORDER BY lift DESC, pair_count DESC, related_product_id
                           ) AS rank
                      FROM scored
                )
                INSERT INTO crm_product_affinity_new
                SELECT product_id, related_product_id, pair_count,
                       round(support::numeric, 6), round(confidence::numeric, 6),
                       round(lift::numeric, 4)
                  FROM ranked
                 WHERE rank <= %(top)s
                """,
                company=company.id,
                date_from=date_from,
                today=today,
                max_products=self._affinity_max_order_products,
                min_count=self._affinity_min_pair_count,
                top=self._affinity_top,
            )
        )
        count = cr.rowcount
        cr.execute(
            SQL(
                """
                INSERT INTO crm_product_affinity (
                    company_id, product_id, related_product_id, pair_count, support,
                    confidence, lift, create_uid, create_date, write_uid, write_date)
                SELECT %(company)s, product_id, related_product_id, pair_count, support,
                       confidence, lift, %(uid)s, now() at time zone 'UTC',
                       %(uid)s, now() at time zone 'UTC'
                  FROM crm_product_affinity_new
                ON CONFLICT (company_id, product_id, related_product_id) DO UPDATE SET
                    pair_count = EXCLUDED.pair_count,
                    support = EXCLUDED.support,
                    confidence = EXCLUDED.confidence,
                    lift = EXCLUDED.lift,
                    write_uid = EXCLUDED.write_uid,
                    write_date = EXCLUDED.write_date
                 WHERE (crm_product_affinity.pair_count, crm_product_affinity.support,
                        crm_product_affinity.confidence, crm_product_affinity.lift)
                       IS DISTINCT FROM
                       (EXCLUDED.pair_count, EXCLUDED.support, EXCLUDED.confidence,
                        EXCLUDED.lift);
                DELETE FROM crm_product_affinity affinity
                 WHERE affinity.company_id = %(company)s
                   AND NOT EXISTS (
                       SELECT 1 FROM crm_product_affinity_new new
                        WHERE new.product_id = affinity.product_id
                          AND new.related_product_id = affinity.related_product_id);
                DROP TABLE crm_product_affinity_new;
                """,
                company=company.id,
                uid=self.env.uid,
            )
        )
        self.invalidate_model()
        return count

    @api.model
    def _affinity_suggestions_many(self, company, bought, excluded=None, limit=6):
        """Suggestions for many baskets at once, in one query.

        :param bought: ``{key: product ids}`` (a customer's purchases, an order's lines)
        :param excluded: ``{key: product ids}`` not to suggest (``bought`` by default)
        :return: ``{key: product ids}``, the ``limit`` related products of best lift
            (then most pairs) over the pairs of the key's products, none excluded;
            only pairs and products the user may read, products that can be sold
        """
        excluded = bought if excluded is None else excluded
        pairs = [(key, pid) for key, ids in bought.items() for pid in ids]
        if not pairs:
            return {}
        keys = {key: index for index, key in enumerate(bought)}
        skip = [(keys[key], pid) for key, ids in excluded.items() if key in keys for pid in ids]
        affinity = self._search([("company_id", "=", company.id)])
        products = self.env["product.product"]._search([("sale_ok", "=", True)])
        rows = self.env.execute_query(
            SQL(
                """
                WITH bought(key, product_id) AS (
                    SELECT * FROM unnest(%(bought_keys)s::int[], %(bought_ids)s::int[])
                ), skipped(key, product_id) AS (
                    SELECT * FROM unnest(%(skip_keys)s::int[], %(skip_ids)s::int[])
                ), candidate AS (
                    SELECT bought.key, affinity.related_product_id AS product_id,
                           MAX(affinity.lift) AS lift, SUM(affinity.pair_count) AS pairs
                      FROM bought
                      JOIN crm_product_affinity affinity
                        ON affinity.product_id = bought.product_id
                     WHERE affinity.id IN %(affinity)s
                       AND affinity.related_product_id IN %(products)s
                       AND NOT EXISTS (
                           SELECT 1 FROM skipped
                            WHERE skipped.key = bought.key
                              AND skipped.product_id = affinity.related_product_id)
                  GROUP BY bought.key, affinity.related_product_id
                )
                SELECT key, product_id
                  FROM (SELECT key, product_id,
                               ROW_NUMBER() OVER (PARTITION BY key
                                                  ORDER BY lift DESC, pairs DESC, product_id)
                                   AS rank
                          FROM candidate) ranked
                 WHERE rank <= %(limit)s
              ORDER BY key, rank
                """,
                bought_keys=[keys[key] for key, _pid in pairs],
                bought_ids=[pid for _key, pid in pairs],
                skip_keys=[key for key, _pid in skip],
                skip_ids=[pid for _key, pid in skip],
                affinity=affinity.subselect(),
                products=products.subselect(),
                limit=limit,
            )
        )
        by_index = {index: key for key, index in keys.items()}
        result = {}
        for index, product_id in rows:
            result.setdefault(by_index[index], []).append(product_id)
        return result
