from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmSalesCycleStage(models.Model):
    _name = "crm.sales.cycle.stage"
    _inherit = ["crm.extended.input.guard"]
    _description = "Sales Cycle Stage"
    _order = "cycle_id, sequence, id"
    _check_company_auto = True

    cycle_id = fields.Many2one(
        "crm.sales.cycle", string="Sales Cycle", required=True, index=True, ondelete="cascade"
    )
    stage_id = fields.Many2one("crm.stage", string="Stage", required=True, ondelete="restrict")
    sequence = fields.Integer(default=10)
    is_won = fields.Boolean(related="stage_id.is_won")
    probability = fields.Float(help="Probability (0-100) a lead takes when entering this stage.")
    questionnaire_id = fields.Many2one(
        "crm.qualification.questionnaire",
        string="Gate Questionnaire",
        check_company=True,
        help="Leaving this stage forward needs a passed qualification on this questionnaire.",
    )
    min_score = fields.Float(
        string="Minimum Score",
        help="Minimum qualification score (0-100) to leave this stage forward.",
    )
    max_days = fields.Integer(
        string="Maximum Days", help="Leads staying longer are flagged as stuck (0 = no limit)."
    )
    exit_criteria = fields.Text(translate=True, help="Shown to the salesperson on the lead.")
    fold = fields.Boolean(
        string="Folded in Pipeline",
        compute="_compute_fold",
        store=True,
        readonly=False,
        precompute=True,
        help="The stage's column is folded in the pipelines of this cycle "
        "(by default as the stage itself).",
    )
    company_id = fields.Many2one(related="cycle_id.company_id")

    _stage_uniq = models.Constraint(
        "UNIQUE(cycle_id, stage_id)",
        "A stage can appear only once in a sales cycle.",
    )

    def _gates(self):
        """The qualification gates to pass to leave this stage forward:
        ``[(stage, questionnaire, min score)]``. A cycle that requires a
        qualification gates its first stage with its questionnaire too (a deal
        created as an opportunity right away stays there until qualified)."""
        self.ensure_one()
        gates = []
        if self.questionnaire_id:
            gates.append((self.stage_id, self.questionnaire_id, self.min_score))
        cycle = self.cycle_id
        if (
            cycle.require_qualification
            and cycle.qualification_questionnaire_id
            and self == cycle.stage_line_ids[:1]
            and self.questionnaire_id != cycle.qualification_questionnaire_id
        ):
            gates.append((self.stage_id, cycle.qualification_questionnaire_id, 0.0))
        return gates

    @api.depends("cycle_id", "stage_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.cycle_id.name or ''} / {line.stage_id.name or ''}"

    @api.depends("stage_id")
    def _compute_fold(self):
        for line in self:
            line.fold = line.stage_id.fold

    @api.constrains("probability", "min_score", "max_days", "questionnaire_id")
    def _check_values(self):
        for line in self:
            if not 0 <= line.probability <= 100:
                raise ValidationError(
                    self.env._("The probability of a cycle stage must be between 0 and 100.")
                )
            if not 0 <= line.min_score <= 100:
                raise ValidationError(
                    self.env._("The minimum score of a cycle stage must be between 0 and 100.")
                )
            if line.max_days < 0:
                raise ValidationError(
                    self.env._("The maximum number of days of a cycle stage cannot be negative.")
                )
            if line.questionnaire_id and line.is_won:
                raise ValidationError(self.env._("The won stage cannot have a gate."))

    @api.constrains("sequence", "stage_id")
    def _check_cycle_order(self):
        self.cycle_id._check_stage_lines()
