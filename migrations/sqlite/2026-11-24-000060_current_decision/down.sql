DROP INDEX registrants_current_decision;
ALTER TABLE registrants DROP COLUMN decision_shared_with_family;
ALTER TABLE registrants DROP COLUMN decision_review_due;
ALTER TABLE registrants DROP COLUMN decision_discussed_on;
