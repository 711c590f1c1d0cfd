"""Seed the help center: one section and the "Advanced Support Offerings" page (comments closed)."""

from django.db import migrations
from django.utils import timezone

SECTION = {"slug": "support-plans", "name": "Support plans", "position": 0,
           "description": "What each support offering includes and how fast we respond."}
SLUG = "advanced-support-offerings"
TITLE = "Advanced Support Offerings"
BODY = """<p>Clients can purchase the following advanced support options to optimize their experience using Amicus Attorney by CARET.</p>
<h2>Premium Support</h2>
<p>This includes:</p>
<ul>
<li>Unlimited Maintenance Support, and updates for CARET software products when purchased in a Service Order Form or Service Order Addendum.</li>
<li>Access up to 10 designated Users to use a priority level support queue, unlimited access to an Online Training Database, and 50% discounted fees to attend all CARET events and webinars.</li>
<li>A dedicated Technical Account Manager ("TAM"), which serves as Client's primary point of contact.</li>
</ul>
<p>CARET will make its best efforts to respond to support inquires in accordance with the following table:</p>
<table>
<thead><tr><th scope="col">Severity Level</th><th scope="col">Initial Response Objective</th></tr></thead>
<tbody>
<tr><td>Severity Level 1 – Mission critical CARET software application(s) unavailable, risk of loss or corruption of data, business operations severely disrupted.</td><td>30 Minutes Response Time, M-F, 24 hours per day.</td></tr>
<tr><td>Severity Level 2 – Mission critical CARET software application(s) available, but critical function of application is unavailable, business operations disrupted.</td><td>2 Hours Response Time, M-F, 24 hours per day.</td></tr>
<tr><td>Severity Level 3 – Mission critical applications available, but non-critical function of application is unavailable, business operations not immediately interrupted.</td><td>4 Regular Business Hours Response Time.</td></tr>
</tbody>
</table>
<h2>Technical Account Manager (“TAM”)</h2>
<p>Where purchased in a Service Order Form or Service Order Addendum, or as included within Client’s purchase of Premium Support, Client’s TAM includes:</p>
<ul>
<li>A dedicated resource available for Technical Account Management or Technical Support escalations, with scheduled weekly or bi-weekly case scrub/project management calls, and one (1) annual onsite visit to Client’s principal place of business to discuss strategic planning, project or product roadmaps, with travel expenses paid by Client.</li>
<li>In addition, Client’s TAM will assist in scheduling application upgrades, and can provide step-by-step resolution guides or screen recordings on certain types of technical support tickets in order to elevate Client’s self-service ability and result in more successful use of platform features.</li>
</ul>
<h2>24/7 Support</h2>
<p>Where purchased in a Service Order Form or Service Order Addendum 24/7 Support means 24/7 access for Client’s Users to a support queue including:</p>
<ul>
<li>The ability to report technical incidents via chat, email, portal, and a dedicated phone line.</li>
<li>Pricing will be determined in accordance with Client’s number of Users (based on multiples of 10), and Client acknowledges and understands that Client’s MRC for 24/7 Support will increase by $100 each time Client’s number of Users increases in multiples of 10 to the next tier (i.e. 10 Users, 20 Users, 30 Users, and so on, until Client reaches 100+ Users which requires custom pricing).</li>
</ul>"""


def seed(apps, schema_editor):
    from supportdesk.helpcenter.sanitising import html_to_text

    Section = apps.get_model("helpcenter", "Section")
    Article = apps.get_model("helpcenter", "Article")
    HelpEvent = apps.get_model("helpcenter", "HelpEvent")
    section, _ = Section.objects.get_or_create(slug=SECTION["slug"], defaults={
        k: v for k, v in SECTION.items() if k != "slug"})
    if Article.objects.filter(slug=SLUG).exists():
        return
    text = f"{TITLE}\n{html_to_text(BODY)}"
    article = Article.objects.create(section=section, slug=SLUG, title=TITLE, body=BODY, status="published",
                                     visibility="everyone", comments_open=False, published_at=timezone.now(),
                                     search_text=text)
    HelpEvent.objects.create(article=article, kind="article.seeded", data={"source": "seed 000_42a5ae4089e5ffdd"})
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("INSERT INTO helpcenter_fts(article_id, content) VALUES (%s, %s)", [article.pk, text])


def unseed(apps, schema_editor):
    Section = apps.get_model("helpcenter", "Section")
    Article = apps.get_model("helpcenter", "Article")
    for pk in Article.objects.filter(slug=SLUG).values_list("pk", flat=True):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute("DELETE FROM helpcenter_fts WHERE article_id = %s", [pk])
    Article.objects.filter(slug=SLUG).delete()
    Section.objects.filter(slug=SECTION["slug"], articles__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0003_search")]
    operations = [migrations.RunPython(seed, unseed)]
