from odoo import api, fields, models
from odoo.tools import SQL


class CrmCreditGuard(models.Model):
    """One row per (commercial customer, company), touched by every credit check.

    Odoo runs each request in a REPEATABLE READ transaction whose snapshot is
    taken at its first query. Two confirmations for the same customer would
    both read the exposure of that snapshot (write skew): neither sees the
    other's order. ``SELECT ... FOR UPDATE`` only makes the second one wait,
    then it still reads its old snapshot. An ``UPDATE`` of a row that a
    concurrent transaction updated and committed makes PostgreSQL raise a
    serialization failure instead, which Odoo's request layer retries: the
    retry starts a new snapshot that contains the first confirmation.

    The rows are kept out of ``res_partner`` so that the hot partner table
    sees no extra row locks.
    """

    _name = "crm.credit.guard"
    _description = "Credit Check Serialization Guard"
    _log_access = False

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=False, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    check_count = fields.Integer(string="Checks", default=0, readonly=True)
    last_check = fields.Datetime(readonly=True)

    _partner_company_uniq = models.UniqueIndex("(partner_id, company_id)")

    @api.model
    def _lock(self, partner_ids, company_id):
        """Serialize the credit checks of these customers in this company.

        Upserts the guard rows in a deterministic order (no deadlock between
        two checks covering several customers). When a concurrent transaction
        has touched one of these rows since our snapshot, PostgreSQL raises a
        serialization failure; the request is then retried by Odoo.
        """
        partner_ids = sorted(set(partner_ids))
        if not partner_ids:
            return
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO crm_credit_guard (partner_id, company_id, check_count, last_check)
                     SELECT pid, %(company)s, 1, NOW() AT TIME ZONE 'UTC'
                       FROM unnest(%(partners)s::int[]) AS pid
                   ORDER BY pid
                ON CONFLICT (partner_id, company_id)
                DO UPDATE SET check_count = crm_credit_guard.check_count + 1,
                              last_check = EXCLUDED.last_check
                """,
                company=company_id,
                partners=partner_ids,
            )
        )
