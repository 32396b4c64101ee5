from types import SimpleNamespace

from odoo.tests import tagged

from .cycle_common import SalesCycleCommon
from .query_count import count_queries


@tagged("post_install", "-at_install")
class TestSalesFunnelReport(SalesCycleCommon):
    def test_funnel_figures(self):
        stays = self._lead(team=self.team_open)
        moved = self._lead(team=self.team_open, expected_revenue=1000)
        moved.write({"stage_id": self.stage_b.id})
        lost = self._lead(team=self.team_open, expected_revenue=5000)
        lost.write({"stage_id": self.stage_b.id})
        lost.action_set_lost()
        back = self._lead(team=self.team_open, expected_revenue=200)
        back.write({"stage_id": self.stage_b.id})
        back.write({"stage_id": self.stage_a.id})
        self.assertEqual(stays.stage_id, self.stage_a, "a new lead starts in the first stage")
        self.env.flush_all()

        # the salesman's funnel (all these leads are his)
        Report = self.env(user=self.salesman)["crm.sales.funnel.report"]
        # rows are per lead (record rules): the figures are the grouped ones
        measures = ["reached_count", "current_count", "converted_count", "conversion_rate"]
        measures += ["avg_days", "expected_revenue"]
        rows = {
            stage: SimpleNamespace(**dict(zip(measures, values, strict=True)))
            for stage, *values in Report._read_group(
                [("sales_cycle_id", "=", self.cycle_open.id)],
                ["stage_id"],
                [
                    f"{m}:avg" if m in ("conversion_rate", "avg_days") else f"{m}:sum"
                    for m in measures
                ],
            )
        }
        self.assertEqual(set(rows), {self.stage_a, self.stage_b, self.stage_won_b})
        start, nxt, won = rows[self.stage_a], rows[self.stage_b], rows[self.stage_won_b]
        self.assertEqual(start.reached_count, 4)  # a lead coming back counts once
        self.assertEqual(start.current_count, 2)
        self.assertEqual(start.converted_count, 3)
        self.assertAlmostEqual(start.conversion_rate, 75.0)
        self.assertEqual(nxt.reached_count, 3)  # the lost lead included
        self.assertEqual(nxt.current_count, 1)  # active leads only
        self.assertEqual(nxt.converted_count, 0)
        self.assertAlmostEqual(nxt.expected_revenue, 600.0)  # 1000 x 60 %
        self.assertAlmostEqual(start.expected_revenue, 200 * 0.2)
        self.assertEqual(won.reached_count, 0)
        self.assertGreaterEqual(start.avg_days, 0.0)

    def test_funnel_read_is_one_query(self):
        Report = self.env["crm.sales.funnel.report"].with_user(self.salesman)

        def read():
            return Report._read_group(
                [("sales_cycle_id", "=", self.cycle_open.id)],
                ["stage_id"],
                [
                    "reached_count:sum",
                    "current_count:sum",
                    "conversion_rate:avg",
                    "avg_days:avg",
                    "expected_revenue:sum",
                ],
            )

        def add_leads(count):
            for _i in range(count):
                lead = self._lead(team=self.team_open, user=self.salesman)
                lead.write({"stage_id": self.stage_b.id})

        add_leads(1)
        read()  # warm-up: access rights and record rules of the salesman
        add_leads(2)
        self.env.invalidate_all()
        small = count_queries(self.env, read)
        add_leads(30)
        self.env.invalidate_all()
        large = count_queries(self.env, read)
        self.assertEqual((small, large), (1, 1), "one query, whatever the number of leads")
        self.assertEqual(len(read()), 3)

    def test_funnel_visible_to_salesman(self):
        self._lead(team=self.team_open)
        rows = (
            self.env["crm.sales.funnel.report"]
            .with_user(self.salesman)
            .search([("sales_cycle_id", "=", self.cycle_open.id)])
        )
        self.assertEqual(rows.stage_id, self.cycle_open.stage_ids)
