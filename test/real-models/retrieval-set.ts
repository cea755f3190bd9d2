/**
 * A small retrieval set written for these tests: 20 short documents on unrelated subjects, and
 * for each one a question that paraphrases it (few shared words), so that only meaning finds the
 * right document. `expected` is the index of the document the query is about.
 */
export const retrievalDocuments: readonly { source: string; content: string }[] = [
  { source: "volcanoes.txt", content: "Volcanoes form where molten rock from deep inside the Earth rises to the surface. Eruptions can bury towns in ash and lava." },
  { source: "photosynthesis.txt", content: "Plants turn sunlight, water and carbon dioxide into sugar and oxygen. This process happens in the chloroplasts of their leaves." },
  { source: "bread.txt", content: "To bake bread, mix flour, water, salt and yeast, knead the dough, let it rise for an hour, then bake it in a hot oven." },
  { source: "marathon.txt", content: "A marathon is a long-distance running race of 42.195 kilometres. Runners train for months to finish it." },
  { source: "bees.txt", content: "Honeybees live in colonies with one queen. Worker bees collect nectar from flowers and make honey in the hive." },
  { source: "mortgage.txt", content: "A mortgage is a loan used to buy a house. The borrower repays it in monthly instalments with interest over many years." },
  { source: "chess.txt", content: "Chess is a board game for two players. Each side has sixteen pieces, and the goal is to checkmate the opposing king." },
  { source: "vaccines.txt", content: "Vaccines train the immune system to recognise a germ, so the body can fight off the infection quickly later." },
  { source: "jupiter.txt", content: "Jupiter is the largest planet in the solar system, a gas giant with a great red storm and dozens of moons." },
  { source: "coffee.txt", content: "Coffee beans are the roasted seeds of a tropical shrub. Brewing them in hot water makes a drink that contains caffeine." },
  { source: "password.txt", content: "To reset your account password, open the settings page, choose security, and follow the link sent to your email." },
  { source: "guitar.txt", content: "A guitar usually has six strings. Players press the strings against frets with one hand and strum with the other." },
  { source: "recycling.txt", content: "Glass bottles, paper and aluminium cans can be recycled. Sorting waste at home keeps it out of landfills." },
  { source: "sleep.txt", content: "Adults need seven to nine hours of sleep each night. Too little rest harms memory, mood and concentration." },
  { source: "rome.txt", content: "The Roman Empire was ruled from Rome by emperors and at its height stretched from Britain to the Middle East." },
  { source: "refund.txt", content: "Customers may return an item within thirty days of purchase and receive their money back if it is unused." },
  { source: "tides.txt", content: "Ocean tides rise and fall twice a day, pulled mainly by the gravity of the Moon." },
  { source: "vitamin-c.txt", content: "Oranges, lemons and peppers are rich in vitamin C, which the body needs to heal wounds and keep gums healthy." },
  { source: "electric-cars.txt", content: "Electric cars run on batteries instead of petrol. They are charged by plugging them into a charging station." },
  { source: "penguins.txt", content: "Penguins are flightless birds of the southern hemisphere. They swim with their wings and eat fish and krill." },
];

export const retrievalQueries: readonly { query: string; expected: number }[] = [
  { query: "What happens when a mountain spews fire and melted stone?", expected: 0 },
  { query: "How do leaves make food from light?", expected: 1 },
  { query: "Steps for making a loaf at home", expected: 2 },
  { query: "How far do people run in the 26-mile footrace?", expected: 3 },
  { query: "Which insects produce a sweet golden food?", expected: 4 },
  { query: "How does borrowing money for a home work?", expected: 5 },
  { query: "What are the rules of the game with kings, queens and knights on a board?", expected: 6 },
  { query: "How do immunisation shots protect us from disease?", expected: 7 },
  { query: "Which is the biggest world orbiting the Sun?", expected: 8 },
  { query: "Where does my morning espresso come from?", expected: 9 },
  { query: "I forgot my login credentials, how do I change them?", expected: 10 },
  { query: "How do you play a six-stringed instrument?", expected: 11 },
  { query: "What rubbish can be reused instead of thrown away?", expected: 12 },
  { query: "How many hours should a grown-up rest at night?", expected: 13 },
  { query: "Who governed the ancient Italian empire?", expected: 14 },
  { query: "Can I send back a product and get reimbursed?", expected: 15 },
  { query: "Why does the sea level change during the day?", expected: 16 },
  { query: "Which fruits contain nutrients that help cuts heal?", expected: 17 },
  { query: "How are battery-powered vehicles refuelled?", expected: 18 },
  { query: "Tell me about the birds in Antarctica that cannot fly", expected: 19 },
];
