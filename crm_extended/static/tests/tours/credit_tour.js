import { registry } from "@web/core/registry";

// Data comes from the Python test: a quotation of a customer on credit hold,
// opened directly in its form view.
registry.category("web_tour.tours").add("crm_extended_credit_tour", {
    steps: () => [
        {
            content: "The credit banner explains why the order is blocked",
            trigger: ".o_form_view div[name='credit_block_banner']:contains(Tour hold reason)",
        },
        {
            content: "The salesperson requests a credit approval",
            trigger: ".o_form_view button[name='action_request_credit_approval']",
            run: "click",
        },
        {
            content: "The banner shows the pending request",
            trigger: ".o_form_view div[name='credit_block_banner']:contains(approval requested)",
        },
        {
            content: "The credit controller approves the order",
            trigger: ".o_form_view button[name='action_approve_credit']",
            run: "click",
        },
        {
            content: "The order shows who approved it",
            trigger: ".o_form_view div[name='credit_approved_banner']:contains(Credit approved by)",
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
            content: "The overdue invoices smart button is there",
            trigger: ".o_form_view button[name='action_view_credit_overdue_invoices']",
        },
    ],
});
