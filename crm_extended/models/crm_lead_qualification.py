from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# Set by the system only: the state moves through action_done(), the figures are
# computed from the answers. Nobody writes them directly, managers included.
SYSTEM_FIELDS = frozenset({"state", "score", "disqualified", "passed"})


class CrmLeadQualification(models.Model):
    """A questionnaire filled for a lead.

    Access follows the lead (record rules on ``lead_id``). ``state``, ``score``,
    ``disqualified`` and ``passed`` are set by the system only; a done
    qualification is final: nobody reopens or edits it (managers included) —
    qualify the lead again with a new qualification, the latest done one counts.
    """

    _name = "crm.lead.qualification"
    _inherit = ["crm.extended.input.guard"]
    _description = "Lead Qualification"
    _order = "date desc, id desc"
    _check_company_auto = True

    lead_id = fields.Many2one(
        "crm.lead", string="Lead", required=True, index=True, ondelete="cascade"
    )
    questionnaire_id = fields.Many2one(
        "crm.qualification.questionnaire",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Qualified by", default=lambda self: self.env.user
    )
    date = fields.Datetime(default=fields.Datetime.now, required=True)
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Done")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
    )
    answer_ids = fields.One2many(
        "crm.lead.qualification.answer", "qualification_id", string="Answers", copy=True
    )
    score = fields.Float(compute="_compute_score", store=True, aggregator="avg")
    pass_score = fields.Float(related="questionnaire_id.pass_score")
    disqualified = fields.Boolean(
        compute="_compute_score",
        store=True,
        help="An answer with a disqualifying option was chosen.",
    )
    passed = fields.Boolean(compute="_compute_passed", store=True)
    # not stored: a stored copy would make every recompute of the lead's company
    # (team/salesperson assignment) look up the lead's qualifications, one extra
    # query per batch even for leads that have none
    company_id = fields.Many2one(related="lead_id.company_id", string="Company")

    @api.depends(
        "answer_ids.option_id.score",
        "answer_ids.option_id.disqualifying",
        "answer_ids.question_id.weight",
    )
    def _compute_score(self):
        for qualification in self:
            answered = qualification.answer_ids.filtered("option_id")
            total_weight = sum(answered.mapped("question_id.weight"))
            weighted = sum(a.question_id.weight * a.option_id.score for a in answered)
            qualification.score = weighted / total_weight if total_weight else 0.0
            qualification.disqualified = any(answered.mapped("option_id.disqualifying"))

    @api.depends("state", "score", "disqualified", "questionnaire_id.pass_score")
    def _compute_passed(self):
        for qualification in self:
            qualification.passed = (
                qualification.state == "done"
                and not qualification.disqualified
                and qualification.score >= qualification.questionnaire_id.pass_score
            )

    @api.depends("questionnaire_id", "lead_id")
    def _compute_display_name(self):
        for qualification in self:
            qualification.display_name = self.env._(
                "%(questionnaire)s – %(lead)s",
                questionnaire=qualification.questionnaire_id.name or "",
                lead=qualification.lead_id.name or "",
            )

    @api.onchange("questionnaire_id")
    def _onchange_questionnaire_id(self):
        if self.questionnaire_id and not self.answer_ids:
            self.answer_ids = [
                fields.Command.create({"question_id": question.id})
                for question in self.questionnaire_id.question_ids
            ]

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            # context defaults (default_state...) are applied after this point
            self = self.with_context(
                {key: value for key, value in self.env.context.items()
                 if key.removeprefix("default_") not in SYSTEM_FIELDS}
            )  # fmt: skip
        Questionnaire = self.env["crm.qualification.questionnaire"]
        for vals in vals_list:
            self._check_system_fields(vals)
            if "answer_ids" not in vals and vals.get("questionnaire_id"):
                questionnaire = Questionnaire.browse(vals["questionnaire_id"])
                vals["answer_ids"] = [
                    fields.Command.create({"question_id": question.id})
                    for question in questionnaire.question_ids
                ]
        return super().create(vals_list)

    def write(self, vals):
        self._check_system_fields(vals)
        if any(q.state == "done" for q in self):
            raise UserError(self.env._("A done qualification cannot be modified."))
        return super().write(vals)

    def action_done(self):
        for qualification in self:
            if qualification.state == "done":
                continue
            answered = qualification.answer_ids.filtered("option_id").question_id
            missing = qualification.questionnaire_id.question_ids.filtered(
                lambda q, answered=answered: q.required and q not in answered
            )
            if missing:
                raise UserError(
                    self.env._(
                        "Answer the required questions before marking the qualification done: %s",
                        ", ".join(missing.mapped("name")),
                    )
                )
        todo = self.filtered(lambda q: q.state == "draft")
        # access was checked on the records: the state is the system's to set
        todo.check_access("write")
        todo.sudo().write({"state": "done", "date": fields.Datetime.now()})
        for qualification in todo:
            if qualification.passed:
                body = self.env._(
                    "Qualification “%(name)s” done: passed with a score of %(score).1f.",
                    name=qualification.questionnaire_id.name,
                    score=qualification.score,
                )
            else:
                body = self.env._(
                    "Qualification “%(name)s” done: failed with a score of %(score).1f.",
                    name=qualification.questionnaire_id.name,
                    score=qualification.score,
                )
            qualification.lead_id.message_post(body=body)
        return True

    def _check_system_fields(self, vals):
        """Refuse direct writes of the fields only the system sets (RPC included)."""
        forced = SYSTEM_FIELDS.intersection(vals)
        if forced and not self.env.su:
            raise AccessError(
                self.env._(
                    "The status and score of a qualification are set by the system: "
                    "answer the questions and mark it done (%(fields)s).",
                    fields=", ".join(sorted(forced)),
                )
            )
