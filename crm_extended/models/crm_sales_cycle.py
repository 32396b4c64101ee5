from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL


class CrmSalesCycle(models.Model):
    _name = "crm.sales.cycle"
    _inherit = ["crm.extended.input.guard"]
    _description = "Sales Cycle"
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    # no default, as crm.team and crm.stage: shared unless a company is chosen
    company_id = fields.Many2one("res.company", string="Company", index=True)
    description = fields.Text(translate=True)
    team_ids = fields.One2many(
        "crm.team",
        "sales_cycle_id",
        string="Sales Teams",
        help="Teams using this cycle by default.",
    )
    stage_line_ids = fields.One2many(
        "crm.sales.cycle.stage", "cycle_id", string="Stages", copy=True
    )
    stage_ids = fields.Many2many(
        "crm.stage", compute="_compute_stage_ids", string="Pipeline Stages"
    )
    won_stage_id = fields.Many2one("crm.stage", compute="_compute_stage_ids")
    qualification_questionnaire_id = fields.Many2one(
        "crm.qualification.questionnaire",
        string="Qualification Questionnaire",
        check_company=True,
        help="Questionnaire opened by the Qualify button on the cycle's leads.",
    )
    require_qualification = fields.Boolean(
        help="Leads of this cycle need a passed qualification on the questionnaire "
        "before they can be converted into opportunities.",
    )
    lead_count = fields.Integer(compute="_compute_lead_count")

    @api.depends("stage_line_ids.stage_id", "stage_line_ids.sequence")
    def _compute_stage_ids(self):
        for cycle in self:
            cycle.stage_ids = cycle.stage_line_ids.stage_id
            cycle.won_stage_id = cycle.stage_line_ids.filtered("stage_id.is_won")[:1].stage_id

    def _compute_lead_count(self):
        counts = dict(
            self.env["crm.lead"]._read_group(
                [("sales_cycle_id", "in", self.ids)], ["sales_cycle_id"], ["__count"]
            )
        )
        for cycle in self:
            cycle.lead_count = counts.get(cycle, 0)

    @api.constrains("stage_line_ids", "require_qualification", "qualification_questionnaire_id")
    def _check_stage_lines(self):
        for cycle in self:
            lines = cycle.stage_line_ids
            won = lines.filtered("stage_id.is_won")
            if len(won) != 1:
                raise ValidationError(
                    self.env._(
                        "The sales cycle “%(name)s” must have exactly one won stage.",
                        name=cycle.name,
                    )
                )
            if won != lines[-1:]:
                raise ValidationError(
                    self.env._(
                        "The won stage must be the last stage of the sales cycle “%(name)s”.",
                        name=cycle.name,
                    )
                )
            if cycle.require_qualification and not cycle.qualification_questionnaire_id:
                raise ValidationError(
                    self.env._(
                        "The sales cycle “%(name)s” requires a qualification: choose its questionnaire.",
                        name=cycle.name,
                    )
                )
        self._check_stage_order()

    def _check_stage_order(self):
        """The cycle's line order must match the pipeline columns order."""
        for cycle in self:
            keys = [(line.stage_id.sequence, line.stage_id.id) for line in cycle.stage_line_ids]
            if keys != sorted(keys) or len(set(keys)) != len(keys):
                raise ValidationError(
                    self.env._(
                        "The stages of the sales cycle “%(name)s” must follow the pipeline "
                        "order (stage sequence): %(order)s.",
                        name=cycle.name,
                        order=" → ".join(cycle.stage_line_ids.stage_id.sorted().mapped("name")),
                    )
                )

    def action_open_pipeline(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_action_pipeline")
        action.update(
            {
                "display_name": self.display_name,
                "domain": [("type", "=", "opportunity"), ("sales_cycle_id", "=", self.id)],
                "context": {
                    "default_sales_cycle_id": self.id,
                    "default_type": "opportunity",
                },
            }
        )
        return action

    def _sync_line_sequences(self):
        """Re-sequence lines after a pipeline reordering so cycles follow the board:
        one UPDATE for every line of every cycle (numbered by stage sequence), in
        SQL so that the per-line order check does not run on half-renumbered lines."""
        if not self:
            return
        Line = self.env["crm.sales.cycle.stage"]
        Line.flush_model()
        self.env["crm.stage"].flush_model(["sequence"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE crm_sales_cycle_stage line
                   SET sequence = ordered.position
                  FROM (SELECT line.id,
                               ROW_NUMBER() OVER (PARTITION BY line.cycle_id
                                                  ORDER BY stage.sequence, stage.id) AS position
                          FROM crm_sales_cycle_stage line
                          JOIN crm_stage stage ON stage.id = line.stage_id
                         WHERE line.cycle_id = ANY(%s)) AS ordered
                 WHERE line.id = ordered.id AND line.sequence IS DISTINCT FROM ordered.position
                """,
                self.ids,
            )
        )
        Line.invalidate_model(["sequence"])
        self.invalidate_recordset(["stage_line_ids"])

    def _first_stage(self):
        self.ensure_one()
        return self.stage_line_ids[:1].stage_id
