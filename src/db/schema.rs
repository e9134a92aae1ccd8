//! Diesel table definitions shared by both backends (UUIDs as text, timestamps in UTC).

diesel::table! {
    organizations (id) {
        id -> Text,
        kind -> Text,
        name -> Text,
        district_code -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        organization_id -> Text,
        role -> Text,
        login -> Text,
        password_hash -> Text,
        display_name -> Text,
        active -> Bool,
        failed_logins -> Integer,
        locked_until -> Nullable<Timestamp>,
        password_changed_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    web_sessions (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        password_version -> BigInt,
        csrf_token -> Text,
        enrol_only -> Bool,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::joinable!(web_sessions -> users (user_id));

diesel::table! {
    districts (code) {
        code -> Text,
        name -> Text,
        population_total -> BigInt,
        population_65plus -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    registrants (id) {
        id -> Text,
        card_code -> Text,
        managing_organization_id -> Text,
        status -> Text,
        version -> Integer,
        family_name -> Text,
        given_name -> Text,
        family_name_kana -> Text,
        given_name_kana -> Text,
        name_search -> Text,
        kana_search -> Text,
        birth_date -> Date,
        sex -> Text,
        postal_code -> Nullable<Text>,
        address_line -> Text,
        district_code -> Nullable<Text>,
        living_situation -> Text,
        care_level -> Text,
        record -> Text,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        status_changed_at -> Nullable<Timestamp>,
        decision_discussed_on -> Nullable<Date>,
        decision_review_due -> Nullable<Date>,
        decision_shared_with_family -> Nullable<Bool>,
    }
}

diesel::table! {
    registrant_keys (key, registrant_id) {
        key -> Text,
        registrant_id -> Text,
    }
}

diesel::table! {
    care_decisions (id) {
        id -> Text,
        registrant_id -> Text,
        seq -> Integer,
        kind -> Text,
        discussed_on -> Date,
        organization_id -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
        review_due -> Nullable<Date>,
        shared_with_family -> Bool,
        body -> Text,
    }
}

diesel::table! {
    lookups (id) {
        id -> Text,
        incident_id -> Text,
        user_id -> Text,
        unit_organization_id -> Text,
        incident_district_code -> Nullable<Text>,
        query_kind -> Text,
        outcome -> Text,
        candidate_count -> Integer,
        candidate_ids -> Text,
        opened_registrant_id -> Nullable<Text>,
        opened_at -> Nullable<Timestamp>,
        crew_result -> Nullable<Text>,
        crew_result_at -> Nullable<Timestamp>,
        latency_us -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (seq) {
        seq -> BigInt,
        id -> Text,
        at -> Timestamp,
        actor_user_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        actor_organization_id -> Nullable<Text>,
        action -> Text,
        registrant_id -> Nullable<Text>,
        target_id -> Nullable<Text>,
        incident_id -> Nullable<Text>,
        lookup_id -> Nullable<Text>,
        detail -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    audit_head (id) {
        id -> Integer,
        seq -> BigInt,
        last_hash -> Text,
    }
}

diesel::table! {
    totp_credentials (user_id) {
        user_id -> Text,
        secret -> Text,
        confirmed_at -> Nullable<Timestamp>,
        last_step -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> Text,
        user_id -> Text,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mfa_policy (role) {
        role -> Text,
        required -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (address) {
        address -> Text,
        failures -> Integer,
        first_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::joinable!(users -> organizations (organization_id));

diesel::table! {
    name_counts (value) {
        value -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    deployment (id) {
        id -> Integer,
        timezone -> Text,
        updated_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    users,
    refresh_tokens,
    web_sessions,
    districts,
    registrants,
    registrant_keys,
    care_decisions,
    lookups,
    audit_events,
    audit_head,
    totp_credentials,
    recovery_codes,
    mfa_policy,
    login_failures,
);
