from odoo import fields, models

from ..tools.xlsx_writer import DATE, FLOAT, INTEGER, Column


class CrmExtendedXlsxExport(models.TransientModel):
    _inherit = "crm.extended.xlsx.export"

    report_type = fields.Selection(
        selection_add=[("service_case", "After-sales cases")],
        ondelete={"service_case": "cascade"},
    )

    def _check_report_type(self, vals):
        if vals.get("report_type") == "service_case":
            return
        super()._check_report_type(vals)

    def _xlsx_service_case(self):
        """One row per after-sales case opened in the date range, latest first
        (the user's record rules apply: own-documents salespeople export theirs)."""
        Case = self.env["crm.service.case"]
        domain = [("company_id", "=", self.company_id.id)]
        domain += self._date_domain("date_open")
        cases = Case.search(domain, order="date_open desc, id desc")
        labels = {
            fname: dict(Case._fields[fname]._description_selection(self.env))
            for fname in ("case_type", "coverage", "sla_state", "state", "resolution")
        }

        def read(batch):
            rows = []
            for case in batch:
                rating = case.sudo().rating_last_value
                rows.append(
                    {
                        "name": case.name,
                        "subject": case.subject,
                        "partner": case.partner_id.display_name,
                        "type": labels["case_type"].get(case.case_type, ""),
                        "product": case.product_id.display_name or "",
                        "serial": case.serial_number or "",
                        "coverage": labels["coverage"].get(case.coverage, ""),
                        "user": case.user_id.name or "",
                        "date_open": fields.Datetime.context_timestamp(self, case.date_open).date(),
                        "priority": int(case.priority or 0),
                        "sla": labels["sla_state"].get(case.sla_state, ""),
                        "state": labels["state"].get(case.state, ""),
                        "resolution": labels["resolution"].get(case.resolution, ""),
                        "hours": case.resolve_hours if case.date_resolved else None,
                        "rating": rating or None,
                    }
                )
            return rows

        columns = [
            Column("name", self.env._("Case")),
            Column("subject", self.env._("Subject")),
            Column("partner", self.env._("Customer")),
            Column("type", self.env._("Type")),
            Column("product", self.env._("Product")),
            Column("serial", self.env._("Serial number")),
            Column("coverage", self.env._("Coverage")),
            Column("user", self.env._("Assigned to")),
            Column("date_open", self.env._("Opened on"), DATE),
            Column("priority", self.env._("Priority"), INTEGER),
            Column("sla", self.env._("Response time")),
            Column("state", self.env._("Status")),
            Column("resolution", self.env._("Resolution")),
            Column("hours", self.env._("Hours to resolve"), FLOAT),
            Column("rating", self.env._("Rating"), FLOAT),
        ]
        return self.env._("After-sales cases"), columns, self._chunks(cases, read)
