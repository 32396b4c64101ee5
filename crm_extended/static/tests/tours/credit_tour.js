import { registry } from "@web/core/registry";

// Data comes from the Python test: a quotation of a customer on credit hold,
// opened directly in its form view. Each role plays its own part: the
// salesperson requests, the credit controller approves, the salesperson confirms.
registry.category("web_tour.tours").add("crm_extended_credit_request_tour", {
    steps: () => [
        {
            content: "The credit banner explains why the order is blocked",
            trigger: ".o_form_view div[name='credit_block_banner']:contains(Tour hold reason)",
        },
        {
            content: "A salesperson cannot approve",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name='action_approve_credit']))",
        },
        {
            content: "The salesperson requests a credit approval",
            trigger: ".o_form_view button[name='action_request_credit_approval']",
            run: "click",
        },
        {
            content: "The banner shows the pending request and the button is gone",
            trigger: ".o_form_view:not(:has(button[name='action_request_credit_approval'])) div[name='credit_block_banner']:contains(approval requested)",
        },
    ],
});

registry.category("web_tour.tours").add("crm_extended_credit_approve_tour", {
    steps: () => [
        {
            content: "The controller sees the pending request",
            trigger: ".o_form_view div[name='credit_block_banner']:contains(approval requested)",
        },
        {
            content: "The credit controller approves the order",
            trigger: ".o_form_view button[name='action_approve_credit']",
            run: "click",
        },
        {
            content: "The order shows who approved it",
            trigger: ".o_form_view div[name='credit_approved_banner']:contains(Credit approved by):contains(Tour Controller)",
        },
    ],
});

registry.category("web_tour.tours").add("crm_extended_credit_confirm_tour", {
    steps: () => [
        {
            content: "The salesperson sees the approval",
            trigger: ".o_form_view div[name='credit_approved_banner']:contains(Tour Controller)",
        },
        {
            content: "Confirm the order",
            trigger: ".o_form_view .o_form_statusbar button[name='action_confirm']:visible",
            run: "click",
        },
        {
            content: "The order is confirmed",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Sales Order)",
        },
    ],
});

// Data comes from the Python test: a customer on hold, opened from the
// "Customers on Hold" menu action.
registry.category("web_tour.tours").add("crm_extended_credit_partner_tour", {
    steps: () => [
        {
            content: "The held customer is listed with its status badge",
            trigger: ".o_data_row:contains(Tour Partner Hold) .o_field_widget[name='credit_status']:contains(On Hold)",
        },
        {
            content: "Open the customer",
            trigger: ".o_data_row td[name='complete_name']:contains(Tour Partner Hold)",
            run: "click",
        },
        {
            content: "Open the Credit page",
            trigger: ".o_form_view .o_notebook a[name='crm_extended_credit']",
            run: "click",
        },
        {
            content: "The page shows the status and the hold reason",
            trigger: ".o_form_view .o_field_widget[name='credit_status']:contains(On Hold)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='credit_hold_reason'] input:value(Partner tour reason)",
        },
        {
            content: "Lift the hold",
            trigger: ".o_form_view .o_field_widget[name='credit_hold'] input:checked",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save:enabled",
            run: "click",
        },
        {
            content: "Saved: no longer on hold, still a warning for its overdue invoice",
            trigger: ".o_form_view .o_form_saved .o_field_widget[name='credit_status']:contains(Warning)",
        },
        {
            content: "The overdue invoice still counts against the customer",
            trigger: "button[name='action_view_credit_overdue_invoices']:contains(1)",
        },
    ],
});
