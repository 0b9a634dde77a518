"""Words too common in Spanish or English to tell one knowledge article from another.

Written accent-free and lower case, the form the search compares words in. Negations and words
such as "no" are dropped too: a search for "no imprime" is about printing, and keeping "no"
would only favour long articles.
"""
from __future__ import annotations

SPANISH = frozenset("""
a al algo algun alguna algunas alguno algunos ante antes asi aun aunque cada como con contra cual cuales
cuando de del desde donde durante e el ella ellas ello ellos en entre era eran es esa esas ese eso esos esta
estaba estan estar estas este esto estos fue fueron ha hace hacia han hasta hay la las le les lo los mas me
mi mis mucho muy nada ni no nos nosotros o os otra otras otro otros para pero poco por porque que quien
quienes se sea segun ser si sin sino sobre solo son su sus tambien tan tanto te tiene tienen todo todos tu
tus u un una unas uno unos usted ustedes y ya yo
""".split())

ENGLISH = frozenset("""
a about after again all also am an and any are as at be been before being both but by can could did do
does doing down during each few for from further had has have having he her here hers him his how i if in
into is it its itself just me more most my no nor not of off on once only or other our out over own same
she should so some such than that the their them then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you your
""".split())

STOP_WORDS = SPANISH | ENGLISH
