import { registry } from "@web/core/registry";

const LATIN_WORD = /[A-Za-z]{2,}/;

function checkRightToLeft() {
    if (!document.body.classList.contains("o_rtl")) {
        throw new Error("the web client is not in right-to-left mode");
    }
    // Odoo writes its layout "direction: ltr" and turns it into rtl with
    // rtlcss: without rtlcss the page stays left-to-right
    const direction = getComputedStyle(document.querySelector(".o_web_client")).direction;
    if (direction !== "rtl") {
        throw new Error(`the page direction is ${direction}: is rtlcss installed?`);
    }
}

function assertPersian(selector, what) {
    const nodes = [...document.querySelectorAll(selector)];
    if (!nodes.length) {
        throw new Error(`nothing matches ${selector}`);
    }
    for (const node of nodes) {
        const text = node.textContent.trim();
        if (text && LATIN_WORD.test(text)) {
            throw new Error(`${what} in English: "${text}"`);
        }
    }
}

// A list view of the addon (sales cycles, warranties): right to left, title
// and column titles in Persian.
registry.category("web_tour.tours").add("crm_extended_persian_list_tour", {
    steps: () => [
        {
            content: "the list is shown",
            trigger: ".o_list_view thead th[data-name]",
            run() {
                checkRightToLeft();
                assertPersian(".o_breadcrumb .active", "the title");
                assertPersian(".o_list_view thead th[data-name]", "a column title");
            },
        },
    ],
});

// The competitor cards: right to left, their labels in Persian.
registry.category("web_tour.tours").add("crm_extended_persian_kanban_tour", {
    steps: () => [
        {
            content: "the competitor cards are shown",
            trigger: ".o_kanban_record:contains(Persian Tour Rival) .o_crm_competitor_deals",
            run() {
                checkRightToLeft();
                assertPersian(".o_breadcrumb .active", "the title");
                const card = [...document.querySelectorAll(".o_kanban_record")].find((node) =>
                    node.textContent.includes("Persian Tour Rival")
                );
                for (const english of ["deals", "deal", "won", "lost", "Win rate"]) {
                    const words = card.textContent.split(/[\s/]+/);
                    if (words.includes(english) || card.textContent.includes("Win rate")) {
                        throw new Error(`"${english}" shown in English on the card: ${card.textContent}`);
                    }
                }
            },
        },
    ],
});
