-- Each registrant's current (latest) care decision, as the statistics read it,
-- kept on the registrant row: written with every new entry (entries are never
-- changed), so "current decisions by organization" is one pass over an index
-- instead of finding the latest of every history.
ALTER TABLE registrants ADD COLUMN decision_discussed_on DATE;
ALTER TABLE registrants ADD COLUMN decision_review_due DATE;
ALTER TABLE registrants ADD COLUMN decision_shared_with_family BOOLEAN;

UPDATE registrants SET
    decision_discussed_on = (SELECT c.discussed_on FROM care_decisions c
                             WHERE c.registrant_id = registrants.id ORDER BY c.seq DESC LIMIT 1),
    decision_review_due = (SELECT c.review_due FROM care_decisions c
                           WHERE c.registrant_id = registrants.id ORDER BY c.seq DESC LIMIT 1),
    decision_shared_with_family = (SELECT c.shared_with_family FROM care_decisions c
                                   WHERE c.registrant_id = registrants.id ORDER BY c.seq DESC LIMIT 1)
WHERE EXISTS (SELECT 1 FROM care_decisions c WHERE c.registrant_id = registrants.id);

CREATE INDEX registrants_current_decision ON registrants(status, managing_organization_id,
    decision_discussed_on, decision_review_due, decision_shared_with_family);
