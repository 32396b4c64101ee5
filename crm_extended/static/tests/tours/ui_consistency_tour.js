import { registry } from "@web/core/registry";

function assertNoText(selector, text) {
    for (const node of document.querySelectorAll(selector)) {
        if (node.textContent.includes(text)) {
            throw new Error(`"${text}" found in ${selector}: ${node.textContent.trim()}`);
        }
    }
}

// Competitor cards: "1 deal" / "2 deals", no win rate before a closed deal.
// Data from TestUiConsistencyTour.test_competitor_cards.
registry.category("web_tour.tours").add("crm_extended_competitor_cards_tour", {
    steps: () => [
        {
            content: "a competitor met on one deal says '1 deal'",
            trigger: ".o_kanban_record:contains(Solo Tour Rival) .o_crm_competitor_deals:contains(1 deal)",
            run() {
                assertNoText(".o_kanban_record .o_crm_competitor_deals", "1 deals");
            },
        },
        {
            content: "a competitor met on two deals says '2 deals'",
            trigger: ".o_kanban_record:contains(Duo Tour Rival) .o_crm_competitor_deals:contains(2 deals)",
        },
        {
            content: "no closed deal: no win rate, a plain sentence instead",
            trigger: ".o_kanban_record:contains(Solo Tour Rival) .o_crm_competitor_no_win_rate",
        },
        {
            content: "the competitor with a closed deal shows its win rate",
            trigger: ".o_kanban_record:contains(Duo Tour Rival) .o_crm_competitor_win_rate .o_progressbar",
            run() {
                const solo = [...document.querySelectorAll(".o_kanban_record")].find((card) =>
                    card.textContent.includes("Solo Tour Rival")
                );
                if (solo.querySelector(".o_crm_competitor_win_rate")) {
                    throw new Error("a win rate is shown for a competitor without a closed deal");
                }
            },
        },
    ],
});

// Sales funnel list: conversion shown as a percentage by a real widget.
registry.category("web_tour.tours").add("crm_extended_funnel_percent_tour", {
    steps: () => [
        {
            content: "switch the funnel to its list",
            trigger: ".o_control_panel .o_switch_view.o_list",
            run: "click",
        },
        {
            content: "the conversion cell is a progress bar reading a percentage",
            trigger: ".o_list_view .o_data_row td[name=conversion_rate] .o_field_progressbar:contains(%)",
        },
    ],
});

// Settings: the CRM Extended link opens the Invoicing settings, where the
// credit control settings say their units and how they relate to Odoo's limit.
registry.category("web_tour.tours").add("crm_extended_settings_link_tour", {
    steps: () => [
        {
            content: "open the CRM Extended settings",
            trigger: ".settings_tab .tab[data-key=crm_extended]",
            run: "click",
        },
        {
            content: "follow the link to the Invoicing settings",
            trigger: "button[name=action_open_credit_settings]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "the Invoicing tab is selected",
            trigger: ".settings_tab .tab.selected[data-key=account]",
        },
        {
            content: "the warning threshold says it is a percentage",
            trigger: "#crm_extended_credit_warning_percent .o_crm_extended_suffix:contains(%)",
        },
        {
            content: "the overdue rule says it counts days",
            trigger: "#crm_extended_credit_overdue_days .o_crm_extended_suffix:contains(days)",
        },
        {
            content: "Odoo's own credit limit setting says how it relates to ours",
            trigger: "#crm_extended_credit_limit_relation:contains(only warns)",
        },
    ],
});

// Customer credit page: one editable hold checkbox, the state as a badge.
registry.category("web_tour.tours").add("crm_extended_credit_page_tour", {
    steps: () => [
        {
            content: "open the Credit page",
            trigger: ".o_form_view .o_notebook a.nav-link:contains(Credit)",
            run: "click",
        },
        {
            content: "the credit state is a status badge",
            trigger: ".o_form_view .o_field_widget[name=credit_status] .badge",
        },
        {
            content: "only the manual hold is a checkbox",
            trigger: ".o_form_view .o_field_widget[name=credit_hold] input[type=checkbox]:not(:disabled)",
            run() {
                if (document.querySelector(".o_form_view .o_field_widget[name=credit_on_hold]")) {
                    throw new Error("the computed hold is shown as a second checkbox");
                }
            },
        },
    ],
});
