// Every console screen, in menu order, with the staff API routes it needs. A member sees a screen only
// when GET /v1/staff/me lists all of them: the API's route × role table decides, not a copy of it here.

import { destructions, ledger, reconciliation } from "./audit.js";
import { inquiries, letters, resources } from "./handlers.js";
import { accessReview, accessRights, incidents, legalHolds, provisions, rightsRequests } from "./manager.js";

export const SCREENS = [
  { name: "inquiries", title: "screen.inquiries", needs: ["GET /v1/staff/inquiries"], render: inquiries },
  { name: "letters", title: "screen.letters", needs: ["GET /v1/staff/letters/audience", "POST /v1/staff/letters", "GET /v1/staff/letters/<letter_id>"], render: letters },
  // The catalogue is public; the handlers, who answer for it, see it beside their inquiries.
  { name: "resources", title: "screen.resources", needs: ["GET /v1/staff/inquiries"], render: resources },
  { name: "rights-requests", title: "screen.rights-requests", needs: ["GET /v1/staff/rights-requests"], render: rightsRequests },
  { name: "legal-holds", title: "screen.legal-holds", needs: ["POST /v1/staff/legal-holds", "GET /v1/staff/ledger"], render: legalHolds },
  { name: "provisions", title: "screen.provisions", needs: ["POST /v1/staff/disclosures", "GET /v1/staff/ledger"], render: provisions },
  { name: "access-rights", title: "screen.access-rights", needs: ["GET /v1/staff/users"], render: accessRights },
  { name: "incidents", title: "screen.incidents", needs: ["POST /v1/staff/incidents", "GET /v1/staff/ledger"], render: incidents },
  { name: "ledger", title: "screen.ledger", needs: ["GET /v1/staff/ledger"], render: ledger },
  { name: "reconciliation", title: "screen.reconciliation", needs: ["GET /v1/staff/evidence/reconciliation"], render: reconciliation },
  { name: "destructions", title: "screen.destructions", needs: ["GET /v1/staff/evidence/destructions"], render: destructions },
  { name: "access-review", title: "screen.access-review", needs: ["GET /v1/staff/access-review"], render: accessReview },
];
