import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

registry.category("web_tour.tours").add("crm_extended_competitor_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "open the CRM app",
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            run: "click",
        },
        {
            content: "open the deal from the pipeline",
            trigger: ".o_kanban_record:contains(Tour Competitor Deal)",
            run: "click",
        },
        {
            content: "the deal is open",
            trigger: ".o_breadcrumb:contains(Tour Competitor Deal)",
        },
        {
            content: "mark the deal as lost",
            trigger: ".o_form_view .o_statusbar_buttons button:contains(Lost)",
            run: "click",
        },
        {
            content: "tell which competitor won",
            trigger: ".modal .o_field_widget[name=competitor_id] input",
            run: "edit Tour Rival",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Rival Ltd)",
            run: "click",
        },
        {
            content: "confirm",
            trigger: ".modal button[name=action_lost_reason_apply]",
            run: "click",
        },
        {
            content: "the deal is lost",
            trigger: ".o_form_view .ribbon:contains(Lost)",
        },
        {
            content: "open the Competitors page",
            trigger: ".o_form_view .o_notebook a.nav-link:contains(Competitors)",
            run: "click",
        },
        {
            content: "the winner was added to the deal's competitors",
            trigger: ".o_field_widget[name=competitor_line_ids] .o_data_row:contains(Tour Rival Ltd)",
        },
        {
            content: "open the competitors from the CRM menu",
            trigger: '.o-dropdown[data-menu-xmlid="crm.crm_menu_sales"]',
            run: "click",
        },
        {
            trigger: '.o-dropdown-item[data-menu-xmlid="crm_extended.crm_competitor_menu_sales"]',
            run: "click",
        },
        {
            content: "the kanban card shows the loss",
            trigger: ".o_kanban_record:contains(Tour Rival Ltd):contains(0 won / 1 lost)",
            run: "click",
        },
        {
            content: "the competitor's statistics count the lost deal",
            trigger: ".o_form_view button[name=action_view_lost_deals] .o_stat_value:contains(1)",
        },
        {
            content: "open the deals lost to the competitor",
            trigger: ".o_form_view button[name=action_view_lost_deals]",
            run: "click",
        },
        {
            content: "the lost deal is listed",
            trigger: ".o_list_view .o_data_row:contains(Tour Competitor Deal)",
        },
    ],
});
