"""Simulated crm_extended users for Locust (started by scripts/load/run.py).

Every user talks to one of the Odoo servers (round robin, as a proxy would)
through Odoo 19's external JSON-2 API (``POST /json/2/<model>/<method>``,
``Authorization: bearer <API key>``). Each business operation (several API
calls) is one Locust request of type ``OP``, named after the operation; the
API calls themselves are recorded too, as ``POST`` rows.

Environment (set by run.py): CRMX_LOAD_CONFIG (the seed's JSON: keys, ids),
CRMX_LOAD_HOSTS (comma-separated server URLs), CRMX_LOAD_DB, CRMX_LOAD_MIX
(``full``: every operation of the addon; ``core``: pipeline, customer form,
quotation confirmation and invoice posting only), CRMX_LOAD_OUT (a JSON file
for the refusals and unexpected errors seen).
"""

import itertools
import json
import os
import random
import time
from xml.etree import ElementTree

from locust import HttpUser, between, events, task

CONFIG = json.load(open(os.environ["CRMX_LOAD_CONFIG"], encoding="utf-8"))  # noqa: SIM115
HOSTS = os.environ["CRMX_LOAD_HOSTS"].split(",")
DB = os.environ["CRMX_LOAD_DB"]
FULL = os.environ.get("CRMX_LOAD_MIX", "full") == "full" and CONFIG["addon"]
# credit control's refusals: at confirmation (or while a request waits), and the
# invariant's check at commit
CREDIT_MESSAGES = (
    "A credit controller must approve this order",
    "is waiting for credit approval",
    "is blocked by credit control",
)

_counter = itertools.count()
_views = {}
OUTCOMES = {"refused": 0, "approved": 0, "confirmed": 0, "unexpected": []}


class Refused(Exception):
    """A refusal the business rules expect (credit control): not an error."""


class ApiError(Exception):
    def __init__(self, status, body):
        self.status = status
        self.body = body
        name = body.get("name", "") if isinstance(body, dict) else ""
        message = body.get("message", "") if isinstance(body, dict) else str(body)[:300]
        super().__init__(f"{status} {name}: {message}")
        self.name = name
        self.message = message


class OdooUser(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    role = "sales"

    def on_start(self):
        index = next(_counter)
        self.base = HOSTS[index % len(HOSTS)]
        keys = CONFIG["keys"][self.role]
        self.headers = {
            "Authorization": f"bearer {keys[index % len(keys)]}",
            "X-Odoo-Database": DB,
            "Content-Type": "application/json",
        }

    # ------------------------------------------------------------ plumbing
    def call(self, model, method, ids=None, **kwargs):
        body = dict(kwargs)
        if ids is not None:
            body["ids"] = ids
        with self.client.post(
            f"{self.base}/json/2/{model}/{method}",
            data=json.dumps(body),
            headers=self.headers,
            name=f"{model}.{method}",
            catch_response=True,
        ) as response:
            response.success()  # the operation (OP row) says whether it failed
            try:
                payload = response.json()
            except ValueError:
                payload = response.text
        if response.status_code != 200:
            raise ApiError(response.status_code, payload)
        return payload

    def op(self, name, func):
        start = time.perf_counter()
        exception = None
        try:
            func()
        except Refused:
            OUTCOMES["refused"] += 1
        except Exception as exc:  # noqa: BLE001  (reported as the operation's failure)
            exception = exc
            if len(OUTCOMES["unexpected"]) < 50:
                OUTCOMES["unexpected"].append(f"{name}: {exc}"[:500])
        events.request.fire(
            request_type="OP",
            name=name,
            response_time=(time.perf_counter() - start) * 1000,
            response_length=0,
            exception=exception,
            context={},
        )

    def view_fields(self, model, view_type):
        """The fields the web client reads for this view: those of its arch, as
        the server gives it to this user (nodes of other groups removed)."""
        key = (model, view_type, self.role)
        if key not in _views:
            result = self.call(model, "get_views", views=[[False, view_type]])
            arch = ElementTree.fromstring(result["views"][view_type]["arch"])
            names = set()

            def walk(node, nested):
                if node.tag == "field" and not nested:
                    names.add(node.get("name"))
                for child in node:
                    walk(child, nested or node.tag == "field")

            walk(arch, False)
            _views[key] = sorted(names & set(result["models"][model]["fields"]))
        return _views[key]

    # ------------------------------------------------------------ operations
    def pipeline(self):
        team = random.choice(CONFIG["teams"])
        domain = [["type", "=", "opportunity"], ["team_id", "=", team]]
        spec = {name: {} for name in self.view_fields("crm.lead", "kanban")}
        self.call("crm.lead", "web_read_group", domain=domain, groupby=["stage_id"],
                  aggregates=["expected_revenue:sum"])  # fmt: skip
        stage = random.choice(CONFIG["stages"][str(team)])
        self.call("crm.lead", "web_search_read", domain=domain + [["stage_id", "=", stage]],
                  specification=spec, limit=40)  # fmt: skip

    def customer_form(self):
        customer = random.choice(CONFIG["customers"])
        spec = {name: {} for name in self.view_fields("res.partner", "form")}
        self.call("res.partner", "web_read", ids=[customer], specification=spec)

    def quotation_confirm(self):
        customer = random.choice(CONFIG["customers"])
        lines = [[0, 0, {"product_id": CONFIG["products"]["item"], "product_uom_qty": 1}]]
        if random.random() < 0.3:
            lines.append(
                [0, 0, {"product_id": CONFIG["products"]["warranted"], "product_uom_qty": 1}]
            )
        [order] = self.call(
            "sale.order", "create", vals_list=[{"partner_id": customer, "order_line": lines}]
        )
        try:
            self.call("sale.order", "action_confirm", ids=[order])
        except ApiError as exc:
            if (
                CONFIG["addon"]
                and exc.status == 422
                and any(text in exc.message for text in CREDIT_MESSAGES)
            ):
                if FULL and random.random() < 0.5:
                    self.call("sale.order", "action_request_credit_approval", ids=[order])
                raise Refused() from exc
            raise
        OUTCOMES["confirmed"] += 1

    def invoice_post(self):
        customer = random.choice(CONFIG["customers_free"])
        line = {"product_id": CONFIG["products"]["item"], "quantity": 1, "price_unit": 100.0}
        [move] = self.call(
            "account.move",
            "create",
            vals_list=[
                {
                    "move_type": "out_invoice",
                    "partner_id": customer,
                    "invoice_line_ids": [[0, 0, line]],
                }
            ],
        )
        self.call("account.move", "action_post", ids=[move])

    def qualify_and_move(self):
        gate = random.choice(CONFIG["gates"])
        team = CONFIG["teams"][0]
        stages = CONFIG["stages"][str(team)]
        leads = self.call(
            "crm.lead",
            "search",
            domain=[["team_id", "=", team], ["stage_id", "=", gate["stage_id"]]],
            offset=random.randint(0, 500),
            limit=1,
        )
        if not leads:
            return
        qualification = self.call(
            "crm.lead.qualification",
            "create",
            vals_list=[
                {
                    "lead_id": leads[0],
                    "questionnaire_id": gate["questionnaire_id"],
                    "answer_ids": [[0, 0, answer] for answer in gate["answers"]],
                }
            ],
        )
        self.call("crm.lead.qualification", "action_done", ids=qualification)
        following = stages[stages.index(gate["stage_id"]) + 1]
        self.call("crm.lead", "write", ids=leads, vals={"stage_id": following})

    def move_forward(self):
        team = CONFIG["teams"][1]
        first, second = CONFIG["stages"][str(team)][:2]
        leads = self.call(
            "crm.lead",
            "search",
            domain=[["team_id", "=", team], ["stage_id", "=", first]],
            offset=random.randint(0, 500),
            limit=1,
        )
        if leads:
            self.call("crm.lead", "write", ids=leads, vals={"stage_id": second})

    def lost_to_competitor(self):
        leads = self.call(
            "crm.lead",
            "search",
            domain=[["type", "=", "opportunity"], ["team_id", "in", CONFIG["teams"]]],
            offset=random.randint(0, 2000),
            limit=1,
        )
        if not leads:
            return
        values = {
            "lead_ids": [[6, 0, leads]],
            "competitor_id": random.choice(CONFIG["competitors"]),
        }
        if CONFIG.get("lost_reason_id"):
            values["lost_reason_id"] = CONFIG["lost_reason_id"]
        wizard = self.call("crm.lead.lost", "create", vals_list=[values])
        self.call("crm.lead.lost", "action_lost_reason_apply", ids=wizard)

    def xlsx_export(self, report_type=None):
        report_type = report_type or random.choice(
            ["competitor_winloss", "sales_funnel", "warranty_expiry"]
        )
        # what a user exports: the warranties ending within a month, the funnel and
        # the win/loss of the last month (not the whole history in one request)
        today = time.strftime("%Y-%m-%d")
        month = 30 * 86400
        if report_type == "warranty_expiry":
            period = (today, time.strftime("%Y-%m-%d", time.localtime(time.time() + month)))
        else:
            period = (time.strftime("%Y-%m-%d", time.localtime(time.time() - month)), today)
        values = {"report_type": report_type, "date_from": period[0], "date_to": period[1]}
        wizard = self.call("crm.extended.xlsx.export", "create", vals_list=[values])
        self.call("crm.extended.xlsx.export", "action_export", ids=wizard)

    def approve_requested(self):
        orders = self.call(
            "sale.order",
            "search",
            domain=[
                ["credit_approval_state", "=", "requested"],
                ["state", "in", ["draft", "sent"]],
            ],
            limit=20,
        )
        # one controller user (fixed_count): no two approvals race for an order
        for order in orders[:2]:
            self.call("sale.order", "action_approve_credit", ids=[order])
            self.call("sale.order", "action_confirm", ids=[order])
            OUTCOMES["approved"] += 1


class Salesperson(OdooUser):
    weight = 8
    role = "sales"

    @task(30)
    def t_pipeline(self):
        self.op("pipeline", self.pipeline)

    @task(25)
    def t_customer_form(self):
        self.op("customer form", self.customer_form)

    @task(15)
    def t_quotation(self):
        self.op("quotation confirm", self.quotation_confirm)

    @task(10)
    def t_qualify(self):
        self.op("qualify + gated move", self.qualify_and_move)

    @task(6)
    def t_move(self):
        self.op("stage move", self.move_forward)

    @task(5)
    def t_lost(self):
        self.op("lost to competitor", self.lost_to_competitor)

    @task(3)
    def t_xlsx(self):
        self.op("xlsx export", self.xlsx_export)


if not FULL:  # the core mix: only what Odoo alone does too
    Salesperson.tasks = [
        t
        for t in Salesperson.tasks
        if t.__name__ in ("t_pipeline", "t_customer_form", "t_quotation")
    ]


class Accountant(OdooUser):
    weight = 2
    role = "accountants"

    @task(10)
    def t_invoice(self):
        self.op("invoice post", self.invoice_post)

    @task(5)
    def t_customer_form(self):
        self.op("customer form", self.customer_form)


class Controller(OdooUser):
    fixed_count = 1
    role = "controllers"

    @task(10)
    def t_approve(self):
        self.op("credit approval", self.approve_requested)

    @task(2)
    def t_customer_form(self):
        self.op("customer form", self.customer_form)


@events.test_stop.add_listener
def _write_outcomes(environment, **kwargs):
    path = os.environ.get("CRMX_LOAD_OUT")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(OUTCOMES, out)
