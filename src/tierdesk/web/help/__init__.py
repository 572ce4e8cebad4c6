"""The public help centre at /help (issue 16): categories, search, articles, "did this help?"
votes, and the suggestion fragment the contact page shows as a customer types. No account."""
