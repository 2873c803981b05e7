from django.db import migrations

# Spelled out rather than imported: a migration must not change when constants do.
# Personal care (washing, dressing, eating, toileting) is regulated activity with
# adults, so it alone needs an enhanced DBS check with the adults' barred list;
# the barred list is never demanded for work that is not regulated activity.
CATEGORIES = [
    {
        "slug": "meals",
        "name": "A hot meal",
        "description": "A home-cooked meal delivered by a neighbour who cooks an extra portion.",
        "allowed_kinds": ["cook"],
        "required_checks": ["food_hygiene", "dbs_basic"],
    },
    {
        "slug": "personal-care",
        "name": "Personal care",
        "description": "Help with washing, dressing, eating or using the toilet.",
        "allowed_kinds": ["carer"],
        "required_checks": ["dbs_enhanced_barred", "identity"],
    },
    {
        "slug": "companionship",
        "name": "Companionship",
        "description": "A regular visit or phone call, a cup of tea and a chat.",
        "allowed_kinds": ["carer", "peer", "cook"],
        "required_checks": ["dbs_basic"],
    },
    {
        "slug": "shopping",
        "name": "Shopping and errands",
        "description": "Picking up shopping or prescriptions, posting letters.",
        "allowed_kinds": ["carer", "peer"],
        "required_checks": ["dbs_basic", "identity"],
    },
    {
        "slug": "transport",
        "name": "A lift",
        "description": "A lift to an appointment, the shops or a social activity.",
        "allowed_kinds": ["carer", "peer"],
        "required_checks": ["dbs_basic", "driving"],
    },
    {
        "slug": "peer-support",
        "name": "Peer support",
        "description": "Someone who has been through the same thing, to talk to and learn from.",
        "allowed_kinds": ["peer"],
        "required_checks": ["dbs_basic"],
    },
]


def seed(apps, schema_editor):
    Category = apps.get_model("services", "Category")
    for position, fields in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            slug=fields["slug"], defaults={**fields, "position": position}
        )


def unseed(apps, schema_editor):
    apps.get_model("services", "Category").objects.filter(
        slug__in=[c["slug"] for c in CATEGORIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
