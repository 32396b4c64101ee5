"""Credit control as an invariant, checked where every write lands.

The invariant: for a blocked commercial entity (on hold, overdue past the
company's rule, or over its credit limit where the company blocks on it), no
unit of work raises what it has committed to owe, unless a credit controller's
approval covers it. What an entity has committed to owe (``committed``) is, in
a company and its branches:

- the total of the confirmed orders whose ordering customer or invoice address
  belongs to the entity (whatever has been invoiced or paid of them), and
- the posted customer invoices, credit notes and receipts of the entity that
  do not stem from orders (direct invoices).

It rises with a confirmation, a confirmed order's growth or move to the entity,
a contact (with its orders and invoices) brought under the entity, or a direct
invoice posted; payments, reconciliations and invoices of orders leave it
unchanged, so they are never in the way.

Choke points: the ORM's lowest write layers (``_write_multi`` and ``_create``)
of ``sale.order``, ``account.move`` and ``res.partner`` call ``_touch_*`` with
the rows they are about to change, whatever the path (a button, ``write`` with
any combination of values, a computed field's flush, ``sudo()``). The first
touch of an entity in a unit of work takes its ``committed`` amount from the
database, before the change. ``cr.precommit`` then runs ``_check`` once, after
the last flush and before the commit (Odoo also runs it when a savepoint is
taken): every touched entity that is blocked must not owe more than before,
less what is exempt or approved:

- a confirmed order whose credit approval covers its customer, company,
  currency and total now (``sale.order._credit_approval_covers``), or which is
  fully paid by a payment transaction of its customer;
- re-invoiced costs: order lines that Odoo's vendor-bill and expense flow
  creates (``account.move.line._sale_create_reinvoice_sale_line``);
- a contact moved, or a direct invoice posted, by a credit controller (the
  move is logged in the contact's chatter).

No context key grants anything: what is exempt is recorded by server code in
``cr.precommit.data``, which no RPC caller reaches.
"""

from collections import defaultdict
from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount

from .res_partner_credit import CREDIT_READ_GROUPS

_STATE_KEY = "crm_extended.credit_invariant"
# order columns whose change may change what an entity committed to owe
ORDER_KEYS = frozenset(
    {"state", "amount_total", "partner_id", "partner_invoice_id", "company_id", "currency_id"}
)
MOVE_KEYS = frozenset({"state", "partner_id", "company_id", "move_type", "amount_total_signed"})
CUSTOMER_MOVE_TYPES = ("out_invoice", "out_refund", "out_receipt")


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------ state of the unit of work

    @api.model
    def _credit_inv_unit(self):
        """What this unit of work touched, kept until the next precommit run."""
        data = self.env.cr.precommit.data
        unit = data.get(_STATE_KEY)
        if unit is None:
            unit = data[_STATE_KEY] = {
                # (entity id, root company id) -> committed amount before the unit
                "baseline": {},
                # (entity id, root company id) -> a company id of the documents
                "company": {},
                # order id -> {(entity, root): amount} before the unit (company currency)
                "orders": {},
                # sale order line ids created by the re-invoicing of costs
                "exempt_lines": set(),
                # keys a credit controller moved a contact to, or posted a direct invoice for
                "controller_keys": set(),
                "cost_flow": 0,
                # entities whose limit or hold a credit controller changed in this unit
                "credit_set": set(),
                # entity id -> whether credit control may block it at all
                "controlled": {},
            }
            self.env.cr.precommit.add(self._credit_inv_check)
        return unit

    @contextmanager
    def _credit_inv_cost_flow(self):
        """Order lines created inside this block are re-invoiced costs."""
        unit = self._credit_inv_unit()
        unit["cost_flow"] += 1
        try:
            yield
        finally:
            unit["cost_flow"] -= 1

    @api.model
    def _credit_inv_in_cost_flow(self):
        unit = self.env.cr.precommit.data.get(_STATE_KEY)
        return bool(unit and unit["cost_flow"])

    @api.model
    def _credit_inv_mark_exempt_lines(self, line_ids):
        self._credit_inv_unit()["exempt_lines"].update(line_ids)

    # ------------------------------------------------------------ choke points

    @api.model
    def _credit_inv_touch_orders(self, order_ids, new_values):
        """Orders about to change (``new_values``: {order id: column values}),
        read as they are in the database, before the change."""
        order_ids = [oid for oid in order_ids if oid]
        if not order_ids:
            return
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT so.id, so.state, so.company_id, so.currency_id, so.amount_total,
                       pi.commercial_partner_id, po.commercial_partner_id
                  FROM sale_order so
                  JOIN res_partner pi ON pi.id = so.partner_invoice_id
                  JOIN res_partner po ON po.id = so.partner_id
                 WHERE so.id = ANY(%s)
                """,
                order_ids,
            )
        )
        old = {row[0]: row[1:] for row in cr.fetchall()}
        new_partner_ids = {
            vals[name]
            for vals in new_values.values()
            for name in ("partner_id", "partner_invoice_id")
            if vals.get(name)
        }
        entity_of = self._credit_inv_entities_of(new_partner_ids)
        pairs = set()
        documents = []
        for oid in order_ids:
            vals = new_values.get(oid, {})
            before = old.get(oid)
            was_confirmed = bool(before) and before[0] == "sale"
            if not was_confirmed and vals.get("state") != "sale":
                continue
            company_id = vals.get("company_id") or (before and before[1])
            entities = set()
            if before:
                entities |= {before[4], before[5]}
                pairs |= {(entity, before[1]) for entity in (before[4], before[5])}
            entities |= {
                entity_of[vals[name]]
                for name in ("partner_id", "partner_invoice_id")
                if vals.get(name) in entity_of
            }
            pairs |= {(entity, company_id) for entity in entities if company_id}
            if was_confirmed:
                documents.append((oid, before))
        self._credit_inv_baseline(pairs)
        unit = self._credit_inv_unit()
        roots = self._credit_inv_roots({company for _entity, company in pairs})
        for oid, before in documents:
            if oid in unit["orders"]:
                continue
            _state, company_id, currency_id, amount, entity_i, entity_o = before
            # converted when checked: no rate lookup inside the flush
            unit["orders"][oid] = {
                (entity, roots[company_id]): (amount, currency_id, company_id)
                for entity in {entity_i, entity_o}
            }
        for oid in order_ids:
            unit["orders"].setdefault(oid, {})

    @api.model
    def _credit_inv_touch_new_documents(self, values_list):
        """Orders or invoices about to be created with these column values."""
        entity_of = self._credit_inv_entities_of(
            {
                vals[name]
                for vals in values_list
                for name in ("partner_id", "partner_invoice_id")
                if vals.get(name)
            }
        )
        self._credit_inv_baseline(
            {
                (entity_of[vals[name]], vals.get("company_id"))
                for vals in values_list
                for name in ("partner_id", "partner_invoice_id")
                if vals.get(name) in entity_of
            }
        )

    @api.model
    def _credit_inv_register_orders(self, order_ids):
        """Orders created in this unit: nothing of them was owed before."""
        orders = self._credit_inv_unit()["orders"]
        for oid in order_ids:
            orders.setdefault(oid, {})

    @api.model
    def _credit_inv_touch_moves(self, move_ids, new_values):
        """Customer invoices about to be posted or moved (see ``_touch_orders``)."""
        move_ids = [mid for mid in move_ids if mid]
        cr = self.env.cr
        old = {}
        if move_ids:
            cr.execute(
                SQL(
                    """
                    SELECT m.id, m.state, m.move_type, m.company_id, p.commercial_partner_id
                      FROM account_move m
                 LEFT JOIN res_partner p ON p.id = m.partner_id
                     WHERE m.id = ANY(%s)
                    """,
                    move_ids,
                )
            )
            old = {row[0]: row[1:] for row in cr.fetchall()}
        entity_of = self._credit_inv_entities_of(
            {vals["partner_id"] for vals in new_values.values() if vals.get("partner_id")}
        )
        pairs = set()
        for key, vals in new_values.items():
            before = old.get(key)
            move_type = vals.get("move_type") or (before and before[1])
            if move_type not in CUSTOMER_MOVE_TYPES:
                continue
            state = vals.get("state") or (before and before[0])
            if state != "posted" and not (before and before[0] == "posted"):
                continue
            company_id = vals.get("company_id") or (before and before[2])
            if before and before[3]:
                pairs.add((before[3], before[2]))
            if vals.get("partner_id") in entity_of:
                pairs.add((entity_of[vals["partner_id"]], company_id))
            elif before and before[3]:
                pairs.add((before[3], company_id))
        if not pairs:
            return
        self._credit_inv_baseline(pairs)

    @api.model
    def _credit_inv_touch_partners(self, partner_ids, new_values):
        """Partners whose commercial entity may change (see ``_touch_orders``):
        the entities before and after, in every company with documents."""
        partner_ids = [pid for pid in partner_ids if pid]
        if not partner_ids:
            return
        cr = self.env.cr
        # a partner just created (no entity in the database yet) has no documents
        cr.execute(
            SQL(
                "SELECT id, commercial_partner_id FROM res_partner"
                " WHERE id = ANY(%s) AND commercial_partner_id IS NOT NULL",
                partner_ids,
            )
        )
        old = dict(cr.fetchall())
        if not old:
            return
        entities = set(old.values()) | set(old)
        parents = {
            vals["parent_id"]
            for pid, vals in new_values.items()
            if pid in old and vals.get("parent_id")
        }
        entities |= set(self._credit_inv_entities_of(parents).values())
        entities |= {
            vals["commercial_partner_id"]
            for pid, vals in new_values.items()
            if pid in old and vals.get("commercial_partner_id")
        }
        entities = self._credit_inv_controlled(entities)
        if not entities:
            return
        cr.execute("SELECT id FROM res_company")
        companies = [row[0] for row in cr.fetchall()]
        pairs = {(entity, company) for entity in entities for company in companies}
        self._credit_inv_baseline(pairs)

    # ------------------------------------------------------------ the check

    def _credit_inv_check(self):
        """Refuse the unit of work when it raised what a blocked entity owes
        beyond what approvals and exemptions cover (runs once, before commit)."""
        unit = self.env.cr.precommit.data.get(_STATE_KEY)
        if not unit or not unit["baseline"] or not self.env.registry.ready:
            # (a registry that is not ready is loading modules and their data
            # files: Odoo's own installation, while no request is served)
            return
        env = self.env(su=True)
        env.flush_all()
        keys = list(unit["baseline"])
        after = self._credit_inv_committed(keys)
        rises = {}
        for key in keys:
            if key in unit["controller_keys"] or key[0] in unit["credit_set"]:
                # a credit controller's own act: moving a contact, posting an
                # invoice, or setting the customer's limit or hold in this unit
                continue
            rise = self._credit_inv_total(after.get(key, {}), key[1]) - self._credit_inv_total(
                unit["baseline"][key], key[1]
            )
            if rise > 0:
                rises[key] = rise
        if not rises:
            return
        # two transactions raising the same entity serialize on its guard row
        # (crm.credit.guard): the second one is retried on the first one's result
        Guard = env["crm.credit.guard"]
        for root in {root for _entity, root in rises}:
            Guard._lock([entity for entity, key_root in rises if key_root == root], root)
        self._credit_inv_deduct_exempt(unit, rises)
        self._credit_inv_deduct_approved(unit, rises)
        blocked = []
        by_company = defaultdict(list)
        for key, rise in rises.items():
            company = env["res.company"].browse(unit["company"][key])
            if company.currency_id.compare_amounts(rise, 0.0) > 0:
                by_company[company].append((key, rise))
        for company, entries in by_company.items():
            partners = env["res.partner"].browse([key[0] for key, _rise in entries])
            figures = partners.with_company(company)._credit_get_figures(company)
            for partner, (_key, rise) in zip(partners, entries, strict=True):
                values = figures[partner.id]
                reason = False
                if values["credit_hold"] or values["credit_hold_overdue"]:
                    reason = partner._credit_hold_description(values)
                elif values["credit_over_limit"] and company.credit_hold_block_on_limit:
                    reason = self.env._("its credit limit is exceeded")
                if reason:
                    blocked.append((company, partner, rise, values, reason))
        if blocked:
            raise UserError(self._credit_inv_refusal(blocked))

    def _credit_inv_refusal(self, blocked):
        if not self.env.user.has_groups(CREDIT_READ_GROUPS):
            return self.env._(
                "This operation is blocked by credit control: the customer's account must "
                "be reviewed by a credit controller first. Please contact your salesperson."
            )
        lines = []
        for company, partner, rise, values, reason in blocked:
            currency = company.currency_id
            lines.append(
                self.env._(
                    "%(customer)s is blocked by credit control (%(reason)s): this change would "
                    "add %(amount)s to what the customer owes (credit exposure %(exposure)s, "
                    "credit limit %(limit)s). Use Request Credit Approval on the quotation, "
                    "or put additional products in a new quotation, for a credit controller "
                    "to approve.",
                    customer=partner.display_name,
                    reason=reason,
                    amount=format_amount(self.env, rise, currency),
                    exposure=format_amount(self.env, values["credit_exposure"], currency),
                    limit=format_amount(self.env, values["credit_limit"], currency)
                    if values["credit_limit"]
                    else self.env._("none"),
                )
            )
        return "\n".join(lines)

    def _credit_inv_deduct_exempt(self, unit, rises):
        """Take re-invoiced costs created in this unit off the rises."""
        if not unit["exempt_lines"]:
            return
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT sol.price_total, so.currency_id, so.company_id,
                       pi.commercial_partner_id, po.commercial_partner_id
                  FROM sale_order_line sol
                  JOIN sale_order so ON so.id = sol.order_id
                  JOIN res_partner pi ON pi.id = so.partner_invoice_id
                  JOIN res_partner po ON po.id = so.partner_id
                 WHERE sol.id = ANY(%s) AND so.state = 'sale'
                """,
                list(unit["exempt_lines"]),
            )
        )
        rows = cr.fetchall()
        roots = self._credit_inv_roots({row[2] for row in rows})
        for amount, currency_id, company_id, entity_i, entity_o in rows:
            amount = self._credit_inv_to_company_currency(amount or 0.0, currency_id, company_id)
            for entity in {entity_i, entity_o}:
                key = (entity, roots[company_id])
                if key in rises:
                    rises[key] -= amount

    def _credit_inv_deduct_approved(self, unit, rises):
        """Take the changes of orders that an approval (or a payment) covers off the rises."""
        orders = self.env["sale.order"].sudo().browse(list(unit["orders"])).exists()
        covered = orders.filtered(
            lambda o: (
                o.state == "sale"
                and (o._credit_approval_covers() or o._credit_paid_by_transaction())
            )
        )
        if not covered:
            return
        roots = self._credit_inv_roots(set(covered.company_id.ids))
        for order in covered:
            amount = self._credit_inv_to_company_currency(
                order.amount_total, order.currency_id.id, order.company_id.id
            )
            root = roots[order.company_id.id]
            now = {
                (entity, root): amount
                for entity in {
                    order.partner_invoice_id.commercial_partner_id.id,
                    order.partner_id.commercial_partner_id.id,
                }
            }
            before = {
                key: self._credit_inv_to_company_currency(*raw)
                for key, raw in unit["orders"].get(order.id, {}).items()
            }
            for key, value in now.items():
                if key in rises:
                    rises[key] -= value - before.get(key, 0.0)

    # ------------------------------------------------------------ queries (no flush: they
    # run inside the ORM's flush and read what the database holds before the change)

    @api.model
    def _credit_inv_entities_of(self, partner_ids):
        partner_ids = [pid for pid in partner_ids if isinstance(pid, int)]
        if not partner_ids:
            return {}
        self.env.cr.execute(
            SQL(
                "SELECT id, COALESCE(commercial_partner_id, id) FROM res_partner"
                " WHERE id = ANY(%s)",
                partner_ids,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _credit_inv_roots(self, company_ids):
        company_ids = [cid for cid in company_ids if cid]
        if not company_ids:
            return {}
        self.env.cr.execute(
            SQL(
                "SELECT id, split_part(parent_path, '/', 1)::int FROM res_company"
                " WHERE id = ANY(%s)",
                company_ids,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _credit_inv_controlled(self, entity_ids):
        """The entities credit control may block at all: a hold or a limit in a
        company, or any company with the overdue rule (then every entity)."""
        unit = self._credit_inv_unit()
        unknown = [eid for eid in entity_ids if eid not in unit["controlled"]]
        if unknown:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT id,
                           EXISTS (SELECT 1 FROM res_company WHERE credit_hold_overdue_days > 0)
                           OR EXISTS (SELECT 1 FROM jsonb_each_text(credit_hold) h
                                       WHERE h.value = 'true')
                           OR EXISTS (SELECT 1 FROM jsonb_each_text(credit_limit) l
                                       WHERE l.value::numeric > 0)
                      FROM res_partner WHERE id = ANY(%s)
                    """,
                    unknown,
                )
            )
            unit["controlled"].update(dict.fromkeys(unknown, False))
            unit["controlled"].update(dict(self.env.cr.fetchall()))
        return {eid for eid in entity_ids if unit["controlled"].get(eid)}

    @api.model
    def _credit_inv_baseline(self, pairs):
        """Record what the entities of ``pairs`` (entity id, company id) owe
        before this unit of work, for those not recorded yet."""
        pairs = {(entity, company) for entity, company in pairs if entity and company}
        if not pairs:
            return
        unit = self._credit_inv_unit()
        controlled = self._credit_inv_controlled({entity for entity, _company in pairs})
        roots = self._credit_inv_roots({company for _entity, company in pairs})
        keys = {}
        for entity, company in pairs:
            if entity not in controlled:
                continue
            key = (entity, roots[company])
            if key not in unit["baseline"]:
                keys[key] = company
        if not keys:
            return
        amounts = self._credit_inv_committed(list(keys))
        for key, company in keys.items():
            # {currency id (None: company currency): amount}, converted when checked
            unit["baseline"][key] = amounts.get(key, {})
            unit["company"][key] = company

    @api.model
    def _credit_inv_committed(self, keys):
        """What each (entity id, root company id) of ``keys`` committed to owe,
        in the root company's currency, as the database holds it (one query)."""
        entities = sorted({entity for entity, _root in keys})
        roots = sorted({root for _entity, root in keys})
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                WITH contact AS MATERIALIZED (
                    SELECT id, commercial_partner_id AS entity FROM res_partner
                     WHERE commercial_partner_id = ANY(%(entities)s)
                ),
                company AS MATERIALIZED (
                    SELECT id, split_part(parent_path, '/', 1)::int AS root FROM res_company
                ),
                confirmed AS (
                    SELECT so.id, contact.entity, company.root, so.currency_id, so.amount_total
                      FROM contact
                      JOIN sale_order so ON so.partner_invoice_id = contact.id
                      JOIN company ON company.id = so.company_id
                     WHERE so.state = 'sale' AND company.root = ANY(%(roots)s)
                     UNION
                    SELECT so.id, contact.entity, company.root, so.currency_id, so.amount_total
                      FROM contact
                      JOIN sale_order so ON so.partner_id = contact.id
                      JOIN company ON company.id = so.company_id
                     WHERE so.state = 'sale' AND company.root = ANY(%(roots)s)
                )
                SELECT entity, root, currency_id, SUM(amount_total) FROM confirmed
              GROUP BY entity, root, currency_id
             UNION ALL
                SELECT contact.entity, company.root, NULL, SUM(m.amount_total_signed)
                  FROM contact
                  JOIN account_move m ON m.partner_id = contact.id
                  JOIN company ON company.id = m.company_id
                 WHERE m.state = 'posted'
                   AND m.move_type IN %(move_types)s
                   AND company.root = ANY(%(roots)s)
                   AND NOT EXISTS (
                       SELECT 1 FROM account_move_line aml
                         JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = aml.id
                        WHERE aml.move_id = m.id)
              GROUP BY contact.entity, company.root
                """,
                entities=entities,
                roots=roots,
                move_types=CUSTOMER_MOVE_TYPES,
            )
        )
        result = defaultdict(lambda: defaultdict(float))
        for entity, root, currency_id, amount in cr.fetchall():
            result[entity, root][currency_id] += amount or 0.0
        return result

    @api.model
    def _credit_inv_total(self, amounts, root):
        """Sum of ``{currency id or None: amount}`` in the currency of company ``root``."""
        return sum(
            self._credit_inv_to_company_currency(amount, currency_id, root)
            if currency_id
            else amount
            for currency_id, amount in amounts.items()
        )

    @api.model
    def _credit_inv_to_company_currency(self, amount, currency_id, company_id):
        company = self.env["res.company"].sudo().browse(company_id)
        currency = self.env["res.currency"].browse(currency_id)
        if not amount or currency == company.currency_id:
            return amount or 0.0
        return currency._convert(amount, company.currency_id, company, fields.Date.today())

    @api.model
    def _credit_inv_credit_set(self, entity_ids):
        """Limits or holds of these entities are set in this unit of work (by a
        credit controller, the only one who may): what the unit adds to what
        they owe is judged by that controller, not refused after the fact."""
        self._credit_inv_unit()["credit_set"].update(entity_ids)

    @api.model
    def _credit_inv_allow_controller_act(self, entity_ids):
        """A credit controller moves contacts to, or posts direct invoices for,
        these entities (in every company) in this unit: the rise is theirs to
        decide. Called from the actions themselves, with the user who acts
        (a flush may run under another environment's user)."""
        if not self.env.user.has_group("crm_extended.group_credit_controller"):
            return
        self.env.cr.execute("SELECT id, split_part(parent_path, '/', 1)::int FROM res_company")
        roots = {row[1] for row in self.env.cr.fetchall()}
        self._credit_inv_unit()["controller_keys"].update(
            (entity, root) for entity in entity_ids for root in roots
        )
