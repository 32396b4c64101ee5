import { registry } from "@web/core/registry";

// what the user sees, kept by the test as .test-logs/screenshots/<name>.png
function screenshot(name, trigger) {
    return {
        content: `Screenshot: ${name}`,
        trigger,
        async run() {
            console.log(`crmx_screenshot:${name}`);
            await new Promise((resolve) => setTimeout(resolve, 400));
        },
    };
}

const column = (title) => `.o_kanban_group:has(.o_column_title:contains(${title}))`;

function answer(row, option) {
    return [
        {
            content: `Answer question ${row} with “${option}”`,
            trigger: `.o_field_widget[name=answer_ids] .o_data_row:nth-child(${row}) td[name=option_id]`,
            run: "click",
        },
        {
            trigger: `.o_field_widget[name=answer_ids] .o_data_row:nth-child(${row}) .o_field_widget[name=option_id] input`,
            run: `edit ${option}`,
        },
        {
            trigger: `.o-autocomplete--dropdown-item .dropdown-item:contains(${option})`,
            run: "click",
        },
    ];
}

// A salesperson of the B2B team (own documents) starts at her pipeline: the
// board is her team's cycle; she quick-creates a deal, qualifies it and drags
// it to the cycle's next column.
registry.category("web_tour.tours").add("crm_extended_pipeline_cycle_tour", {
    steps: () => [
        {
            content: "The pipeline's first column is the cycle's first stage",
            trigger: ".o_opportunity_kanban .o_kanban_group:first-child .o_column_title:contains(Qualification)",
        },
        {
            content: "Every stage of the cycle has its column, in the cycle's order",
            trigger: `${column("Qualification")} + ${column("Needs analysis")} + ${column("Proposal")} + ${column("Negotiation")}`,
        },
        {
            content: "Odoo's generic stages are not on the cycle's board",
            trigger: ".o_opportunity_kanban:not(:has(.o_column_title:contains(Proposition)))",
        },
        screenshot("pipeline_b2b_salesperson", ".o_opportunity_kanban"),
        {
            content: "Quick create a deal",
            trigger: ".o-kanban-button-new",
            run: "click",
        },
        {
            trigger: `${column("Qualification")} .o_kanban_quick_create .o_field_widget[name=name] input`,
            run: "edit Tour B2B deal",
        },
        {
            trigger: ".o_kanban_quick_create .o_field_widget[name=expected_revenue] input",
            run: "edit 18000",
        },
        screenshot("pipeline_quick_create", ".o_kanban_quick_create"),
        {
            trigger: ".o_kanban_quick_create .o_kanban_add",
            run: "click",
        },
        {
            content: "The deal is in the cycle's first column with its revenue",
            trigger: `${column("Qualification")} .o_kanban_record:contains(Tour B2B deal):contains(18,000)`,
        },
        {
            content: "Close the next quick create and open the deal",
            trigger: ".o_kanban_quick_create .o_kanban_cancel",
            run: "click",
        },
        {
            trigger: `${column("Qualification")} .o_kanban_record:contains(Tour B2B deal)`,
            run: "click",
        },
        {
            content: "The status bar is the cycle: its first stage is current, no generic stage",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Qualification)",
        },
        {
            trigger: ".o_form_view .o_statusbar_status:not(:has(button:contains(Proposition)))",
        },
        {
            content: "One probability, the cycle's: no predictive score beside it",
            trigger: ".o_form_view .o_field_widget[name=probability] input:value(10.00)",
        },
        {
            trigger: ".o_form_view:not(:has(.o_field_widget[name=automated_probability]:visible))",
        },
        screenshot("deal_form_cycle", ".o_form_view .o_statusbar_status"),
        {
            content: "Qualify the deal",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_qualify']",
            run: "click",
        },
        ...answer(1, "Yes, approved"),
        ...answer(2, "Yes, the decision maker"),
        ...answer(3, "Clear and matching"),
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_done']",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Done)",
        },
        {
            content: "Back to the pipeline",
            trigger: ".o_breadcrumb .breadcrumb-item:first-child a",
            run: "click",
        },
        {
            content: "Drag the deal to the cycle's next column",
            trigger: `${column("Qualification")} .o_kanban_record:contains(Tour B2B deal)`,
            run: `drag_and_drop (${column("Needs analysis")})`,
        },
        {
            trigger: `${column("Needs analysis")} .o_kanban_record:contains(Tour B2B deal)`,
        },
        screenshot("pipeline_after_drag", ".o_opportunity_kanban"),
    ],
});

// The same salesperson in Persian: her pipeline, right to left (screenshot kept).
registry.category("web_tour.tours").add("crm_extended_pipeline_cycle_fa_tour", {
    steps: () => [
        {
            content: "Right to left, the cycle's columns",
            trigger: ".o_web_client.o_rtl .o_opportunity_kanban .o_kanban_group:nth-child(4) .o_column_title",
        },
        screenshot("pipeline_b2b_salesperson_fa", ".o_opportunity_kanban"),
        {
            trigger: ".o_kanban_record:contains(Tour Persian deal)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current",
        },
        screenshot("deal_form_cycle_fa", ".o_form_view .o_statusbar_status"),
    ],
});
