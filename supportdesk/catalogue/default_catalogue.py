"""The vendor's plans as shipped (seed: "Advanced Support Offerings"). Plain data: the migration that
seeds the catalogue reads it, and an administrator edits the result (as new versions)."""

SEVERITIES = [
    (1, "Mission critical down",
     "Mission critical software application(s) unavailable, risk of loss or corruption of data, "
     "business operations severely disrupted."),
    (2, "Critical function unavailable",
     "Mission critical software application(s) available, but critical function of application is "
     "unavailable, business operations disrupted."),
    (3, "Non-critical function unavailable",
     "Mission critical applications available, but non-critical function of application is unavailable, "
     "business operations not immediately interrupted."),
]

_PORTAL_EMAIL = ["portal", "email", "api"]

OFFERINGS = [
    {
        "code": "maintenance",
        "name": "Maintenance Support",
        "description": "Unlimited support tickets and software updates while active.",
        "recurring": True,
        "priced_per_user_tier": False,
        "includes": [],
        "features": {"maintenance": True, "software_updates": True, "channels": _PORTAL_EMAIL},
    },
    {
        "code": "tam",
        "name": "Technical Account Manager",
        "description": (
            "A dedicated resource for technical account management and escalations, weekly or bi-weekly "
            "case scrub / project management calls, one annual onsite visit (travel expenses paid by the "
            "client), help scheduling upgrades, and step-by-step resolution guides or screen recordings."
        ),
        "recurring": True,
        "priced_per_user_tier": False,
        "includes": [],
        "features": {
            "dedicated_tam": True, "onsite_visits_per_year": 1, "case_scrub_cadence": "weekly",
            "upgrade_scheduling": True, "resolution_guides": True,
        },
    },
    {
        "code": "premium",
        "name": "Premium Support",
        "description": (
            "Includes Maintenance Support and updates; up to 10 designated users with a priority support "
            "queue, unlimited Online Training Database access and 50% off all events and webinars; a "
            "dedicated Technical Account Manager; severity response objectives."
        ),
        "recurring": True,
        "priced_per_user_tier": False,
        "includes": ["maintenance", "tam"],
        "features": {
            "maintenance": True, "software_updates": True, "priority_queue": True,
            "designated_user_limit": 10, "training_access": True, "event_discount_percent": 50,
            "dedicated_tam": True, "onsite_visits_per_year": 1, "case_scrub_cadence": "weekly",
            "upgrade_scheduling": True, "resolution_guides": True, "channels": _PORTAL_EMAIL,
            "objectives": {
                "initial_response": {
                    "1": {"minutes": 30, "calendar": "weekdays-24h"},
                    "2": {"minutes": 120, "calendar": "weekdays-24h"},
                    "3": {"minutes": 240, "calendar": "business-hours"},
                },
            },
        },
    },
    {
        "code": "support-24x7",
        "name": "24/7 Support",
        "description": (
            "24/7 access for the client's users to a support queue; incidents by chat, email, portal and a "
            "dedicated phone line. Priced by number of users in tiers of 10; over 100 users needs custom pricing."
        ),
        "recurring": True,
        "priced_per_user_tier": True,
        "includes": [],
        "features": {
            "coverage_24x7": True, "channels": ["portal", "email", "chat", "phone", "api"],
            "objectives": {
                "initial_response": {
                    "1": {"minutes": 30, "calendar": "24x7"},
                    "2": {"minutes": 120, "calendar": "24x7"},
                },
            },
        },
    },
]
