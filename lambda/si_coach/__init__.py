"""SI joint coach: an Alexa skill that paces a home exercise routine for sacroiliac joint pain."""
